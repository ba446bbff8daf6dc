"""Roster imports started from the console: an uploaded OneRoster zip, imported in the
background while the page shows the job's progress (docs/console.md)."""
