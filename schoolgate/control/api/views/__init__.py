"""One module per resource; each asks `access.scope` whom it may show and logs what it shows."""
