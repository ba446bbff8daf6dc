"""Category lists in, entries out: UT1, hosts, plain, Adblock and RPZ importers, and `update`.

Each importer turns its syntax into `model.Entry` values plus an `model.ImportReport` of what it
could not use (file:line, reason); `schoolgate.classify.domains` compiles the entries into the
index the resolver reads. See docs/lists.md.
"""
