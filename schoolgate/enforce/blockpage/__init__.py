"""The block page: what was blocked, why, under which board-policy clause, and how to ask again.

Served over plain HTTP at the address the resolver gives for blocked names. Over HTTPS the
browser shows its own certificate error instead (docs/dns.md explains the district's options).
"""
