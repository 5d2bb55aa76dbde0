"""Small text normalisations shared by the crawler and the pipelines: tidy for output, fold
for comparing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[\W_]+")


def tidy(text: str) -> str:
    """Text as written out: NFC, white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """A comparison key: NFKC, case-folded, letters and digits only."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, each once."""
    return list(dict.fromkeys(values))
