"""Fingerprints of article text: shingles, MinHash signatures and LSH band keys.

Two copies of a story rarely match byte for byte: punctuation, quotes, case and credit
lines differ. Text is therefore compared as sets of word shingles over normalised tokens
(NFKC, case-folded, punctuation gone). Scripts written without spaces (Chinese, Japanese,
Thai...) count each character as a token so they shingle too.

Each text gets two MinHash signatures, banded for LSH: one over the whole text (finds
full copies) and one over its lead, the first `LEAD_TOKENS` tokens (finds excerpts, which
share the lead but only a fraction of the whole).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np
from datasketch import MinHash, MinHashLSH

TOKEN = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff]|[^\W_]+"
)
SHINGLE_TOKENS = 5
LEAD_TOKENS = 60
SCHEME = "affine32"
SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd, so the polynomial mixes every token


@dataclass
class Fingerprint:
    """What the duplicate index stores and compares for one text."""

    shingles: np.ndarray  # sorted unique uint32 shingle hashes
    band_keys: list[int]


def tokens(text: str) -> list[str]:
    """Normalised word tokens (single characters in scripts written without spaces)."""
    return TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=1 << 18)
def token_hash(token: str) -> int:
    """A stable 64-bit hash of a token (Python's own `hash` changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")


def shingle_hashes(words: list[str], size: int = SHINGLE_TOKENS) -> np.ndarray:
    """Sorted unique 32-bit hashes of the text's `size`-token shingles.

    Each shingle's hash is a polynomial of its tokens' hashes, computed for all shingles
    at once: the cost is one cached hash per token, not one string hash per shingle.
    """
    if not words:
        return np.zeros(0, dtype=np.uint32)
    hashed = np.fromiter(map(token_hash, words), dtype=np.uint64, count=len(words))
    count = max(len(hashed) - size + 1, 1)
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(min(size, len(hashed))):
        combined = combined * SHINGLE_MULTIPLIER + hashed[offset : offset + count]
    return np.unique((combined ^ (combined >> np.uint64(32))).astype(np.uint32))


class Fingerprinter:
    """Builds fingerprints with fixed MinHash permutations and LSH banding.

    The permutations and band layout are part of the persisted index: `params` is stored
    with it and checked when a state is reopened.
    """

    def __init__(self, num_perm: int, threshold: float, lead_threshold: float, seed: int = 1):
        self.num_perm = num_perm
        self._permutations = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        full = MinHashLSH(threshold=threshold, num_perm=num_perm)
        lead = MinHashLSH(threshold=lead_threshold, num_perm=num_perm)
        self.bands = [("full", full.b, full.r), ("lead", lead.b, lead.r)]
        self.params = {
            "num_perm": num_perm,
            "seed": seed,
            "scheme": SCHEME,
            "shingle_tokens": SHINGLE_TOKENS,
            "shingle_hash": "blake2b-token-polynomial",
            "lead_tokens": LEAD_TOKENS,
            "bands": [list(b) for b in self.bands],
        }

    def fingerprint(self, text: str) -> Fingerprint:
        words = tokens(text)
        shingles = shingle_hashes(words)
        lead = shingle_hashes(words[:LEAD_TOKENS])
        keys: list[int] = []
        for (name, bands, rows), hashed in zip(self.bands, (shingles, lead), strict=True):
            keys.extend(self._band_keys(name, bands, rows, self._signature(hashed)))
        return Fingerprint(shingles=shingles, band_keys=keys)

    def _signature(self, hashed: np.ndarray) -> np.ndarray:
        minhash = MinHash(
            num_perm=self.num_perm, permutations=self._permutations, hashfunc=int, scheme=SCHEME
        )
        minhash.update_batch(hashed.tolist())
        return cast(np.ndarray, minhash.hashvalues)  # datasketch is untyped

    @staticmethod
    def _band_keys(name: str, bands: int, rows: int, signature: np.ndarray) -> list[int]:
        keys = []
        for band in range(bands):
            chunk = signature[band * rows : (band + 1) * rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, person=f"{name}{band}".encode())
            keys.append(int.from_bytes(digest.digest(), "little", signed=True))
        return keys


def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard similarity of two shingle sets and containment of the smaller in the larger."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    jaccard = common / (len(a) + len(b) - common)
    containment = common / min(len(a), len(b))
    return jaccard, containment
