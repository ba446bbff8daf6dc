"""Tamper-evident records: each is hash-chained to the one before, so an auditor can verify them.

Acknowledgments and consents both sign with the same evidence (typed name, intent, time, address,
user agent, document hash, on whose behalf) and both chain through `services.append`.
"""
