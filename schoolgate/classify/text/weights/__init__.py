"""The trained model's files (a package so wheels include them)."""
