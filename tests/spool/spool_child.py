"""Run by the crash test: append records, printing each sequence number once `append` returned
(the moment a resolver would send its answer), until killed."""

from __future__ import annotations

import sys

from schoolgate.spool import FsyncPolicy, SpoolWriter

writer = SpoolWriter(sys.argv[1], segment_bytes=64 * 1024, max_bytes=64 * 1024 * 1024,
                     fsync=FsyncPolicy(sys.argv[2]))  # fmt: skip
i = 0
while True:
    seq = writer.append({"i": i, "name": f"www.example{i}.test", "pad": "x" * (i % 300)})
    sys.stdout.write(f"{seq}\n")
    sys.stdout.flush()
    i += 1
