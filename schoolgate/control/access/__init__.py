"""Scoping in one place: who may see which people, for what purpose, and the FERPA access log.

Every console query for people goes through `scope.visible_people(user, purpose)`; every view
of a person's record is written by `log.record_views` (34 CFR 99.32's record of access)."""
