"""The JSON API (issue #6): the console's reads and actions for programs, described by an
OpenAPI document, and machine tokens for enforcement points and DHCP servers (docs/api.md).

A thin edge like the console's views: people come from `access.scope`, reads of records are
logged with `access.log`, and every change is a call into another app's `services.py`."""
