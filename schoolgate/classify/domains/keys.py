"""The two numbers a name is filed under; the builder and the lookup must compute them identically.

* `bucket_crc`: CRC-32 of the labels concatenated from the top-level label down (`com` + `example`
  + `www`). CRC-32 can be continued label by label, so a lookup gets the key of every parent name
  of `www.example.com` for one cheap C call per label while walking from `com` downwards.
* `fingerprint`: 64 bits of BLAKE2b over a per-index random salt and the dotted name. CRC-32 is
  easy to collide on purpose; the fingerprint is what says "this is the listed name", and the salt
  (new with every build) keeps anyone from crafting a name that collides with an allow-exception.
  Two different names sharing both numbers has a chance of about n / 2**96 per lookup.
"""

from __future__ import annotations

import hashlib
import zlib

SALT_BYTES = 16


def bucket_crc(name: bytes) -> int:
    """CRC-32 of the labels of `name` (dotted, lower case) from the last label to the first."""
    return zlib.crc32(b"".join(reversed(name.split(b"."))))


def fingerprint(salt: bytes, name: bytes) -> int:
    """64-bit salted BLAKE2b of the dotted lower-case name, as an unsigned little-endian integer."""
    return int.from_bytes(hashlib.blake2b(salt + name, digest_size=8).digest(), "little")
