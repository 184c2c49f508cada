"""A deterministic random source for generating test vectors. Test-only: production code
takes ``rng`` as a parameter and defaults to ``os.urandom``; nothing outside ``tests/``
imports this module (``tests/test_layers.py`` checks it)."""

from __future__ import annotations

import hashlib


class Drbg:
    """SHA-256 in counter mode over a label: the same label always gives the same bytes."""

    def __init__(self, label: str) -> None:
        self._seed = hashlib.sha256(b"ips-test-drbg/" + label.encode()).digest()
        self._counter = 0

    def __call__(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            self._counter += 1
            out += hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return out[:n]
