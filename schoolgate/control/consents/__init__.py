"""Consents per student (publish work, full name, photo; chat; listservs — whatever the pack
lists): granted, expiring, revoked, each with signature evidence in a hash chain."""
