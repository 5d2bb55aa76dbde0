"""Small text normalisations shared by the pipelines: tidy for output, fold for comparing."""

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


def is_site_name(text: str, site_name: str | None, site: str) -> bool:
    """True when `text` names the site itself (its declared name or its host)."""
    key = fold(text)
    if not key:
        return False
    host = site.split(":")[0]
    return key in {fold(site_name or ""), fold(host.rsplit(".", 1)[0]), fold(host)}


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, each once."""
    return list(dict.fromkeys(values))
