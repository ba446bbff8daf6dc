"""Hand-written seed sets for labels without public data (a package so wheels include them)."""
