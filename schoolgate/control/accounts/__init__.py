"""Sign-in accounts: a Django user linked to a person record, argon2 hashes, login rate limits."""
