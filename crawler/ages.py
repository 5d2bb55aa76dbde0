"""Ages as operators write them: "90m", "12h", "2d", "1w"."""

from __future__ import annotations

import re
from datetime import timedelta

_AGE = re.compile(r"\s*(\d+)\s*([smhdw])\s*")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(value: str | None) -> timedelta | None:
    """The age a string gives, None when it is empty or not an age."""
    match = _AGE.fullmatch((value or "").lower())
    if not match:
        return None
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def age_setting(name: str, value: str | None) -> timedelta | None:
    """An age setting: empty means none; anything else must be an age."""
    if not str(value or "").strip():
        return None
    age = parse_age(str(value))
    if age is None:
        raise ValueError(f"{name}={value!r}: use an age such as 90m, 12h, 7d or 1w")
    return age
