"""Data files shipped with the text reader (a package so wheels include them)."""
