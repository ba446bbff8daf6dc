"""People and the structure they sit in: orgs (schools), sessions, courses, classes,
enrollments, roles and guardian links — imported from OneRoster or entered by hand."""
