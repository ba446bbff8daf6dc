"""One module per page group; each view asks `access.scope` whom it may show and logs views."""
