"""What the operator configured, checked before a crawl starts.

A wrong spider argument, setting or input file is the operator's to fix, not a bug of
newsfold: it is raised as `ConfigError`, whose message names the argument, setting or
file and says what would be valid, and `scrapy crawl` reports it in one log line and
exits with code 3 (`crawler.commands.crawl`). Checking at start matters because a
setting read only when its component first needs it (an age, a number) would otherwise
fail mid-run, or be taken for something else and fail silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.ages import parse_age


class ConfigError(Exception):
    """The operator's configuration is wrong: a spider argument, a setting or a file."""


# How alike (difflib's ratio) an unknown setting name must be to a known one to be taken
# for its misspelling: STATE_ULR/STATE_URL is 0.89, LOCK_WAT/LOCK_WAIT 0.94, while
# scrapy-redis's DUPEFILTER_KEY is 0.80 from Scrapy's DUPEFILTER_DEBUG.
MISSPELLING = 0.84


def closest(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name `name` is most likely a misspelling of, if any."""
    names = list(known)
    upper = {candidate.upper(): candidate for candidate in names}
    if name.upper() in upper:  # the right name in the wrong case
        return upper[name.upper()]
    found = difflib.get_close_matches(name, names, n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A hint for a message: ` (did you mean X?)` when `name` is close to a known name."""
    match = closest(name, known)
    return f" (did you mean {match}?)" if match else ""


class Kind(Protocol):
    """How one setting's value is checked: `wants` says what is valid."""

    @property
    def wants(self) -> str: ...

    def valid(self, value: Any) -> bool: ...


_WHOLE = re.compile(r"\s*[+-]?\d+\s*")


def whole_number(value: Any) -> int | None:
    """An int from an int or its text ("12"); None for anything else (bools, "2.5", "two")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    return None


def number(value: Any) -> float | None:
    """A float from a number or its text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Integer:
    minimum: int = 0

    @property
    def wants(self) -> str:
        return f"a whole number >= {self.minimum}"

    def valid(self, value: Any) -> bool:
        parsed = whole_number(value)
        return parsed is not None and parsed >= self.minimum


@dataclass(frozen=True)
class Number:
    minimum: float = 0
    maximum: float | None = None
    unit: str = ""

    @property
    def wants(self) -> str:
        what = f"a number of {self.unit}" if self.unit else "a number"
        if self.maximum is None:
            return f"{what} >= {self.minimum:g}"
        return f"{what} from {self.minimum:g} to {self.maximum:g}"

    def valid(self, value: Any) -> bool:
        parsed = number(value)
        if parsed is None or parsed != parsed or parsed < self.minimum:  # NaN is not a number
            return False
        return self.maximum is None or parsed <= self.maximum


# What Scrapy's `BaseSettings.getbool` accepts.
BOOLEANS = (True, False, 0, 1, "0", "1", "True", "False", "true", "false")


@dataclass(frozen=True)
class Boolean:
    wants: str = "True or False"

    def valid(self, value: Any) -> bool:
        return any(value == accepted and type(value) is type(accepted) for accepted in BOOLEANS)


@dataclass(frozen=True)
class Age:
    """An age such as 12h or 7d (`crawler.ages`); empty means none."""

    wants: str = "an age such as 90m, 12h, 7d or 1w (or empty for none)"

    def valid(self, value: Any) -> bool:
        if value is None or not str(value).strip():
            return True
        return parse_age(str(value)) is not None


@dataclass(frozen=True)
class AutoOrInteger:
    wants: str = "auto, or a whole number >= 0"

    def valid(self, value: Any) -> bool:
        return value in (None, "", "auto") or Integer(0).valid(value)


@dataclass(frozen=True)
class Url:
    """A URL of one of `schemes`, or one of the literal `words` (such as empty)."""

    schemes: tuple[str, ...]
    words: tuple[str, ...] = ()
    example: str = ""

    @property
    def wants(self) -> str:
        shown = [f"'{word}'" if word else "empty" for word in self.words]
        return " or ".join([self.example or f"a {'/'.join(self.schemes)} URL", *shown])

    def valid(self, value: Any) -> bool:
        text = "" if value is None else str(value).strip()
        if text in self.words:
            return True
        scheme, separator, _ = text.partition("://")
        return bool(separator) and scheme.lower() in self.schemes


def kind_of_default(default: Any) -> Kind | None:
    """The check a setting gets from the type of its default (None: any text goes)."""
    if isinstance(default, bool):
        return Boolean()
    if isinstance(default, int):
        return Integer(0)
    if isinstance(default, float):
        return Number(0)
    return None


def setting_kinds(defaults: Mapping[str, Any], kinds: Mapping[str, Kind]) -> dict[str, Kind]:
    """Every checked setting: those of `kinds`, and the others by their default's type."""
    derived = {name: kind_of_default(value) for name, value in defaults.items()}
    checked = {name: kind for name, kind in derived.items() if kind is not None}
    return {**checked, **kinds}


def setting_label(settings: BaseSettings, name: str) -> str:
    """How the operator gave a setting: `-s NAME` on the command line, else `setting NAME`."""
    given_on_cmdline = (settings.getpriority(name) or 0) >= SETTINGS_PRIORITIES["cmdline"]
    return f"-s {name}" if given_on_cmdline else f"setting {name}"


def check_settings(settings: BaseSettings, kinds: Mapping[str, Kind]) -> None:
    """Raise ConfigError for the first setting whose value is not of its kind (unset: fine)."""
    for name, kind in kinds.items():
        value = settings.get(name)
        if value is not None and not kind.valid(value):
            raise ConfigError(f"{setting_label(settings, name)}={value!r}: use {kind.wants}")


def check_setting_names(given: Iterable[str], known: Iterable[str]) -> list[str]:
    """Warnings for `-s` names no component knows; ConfigError for a likely misspelling.

    A misspelled name is worse than a wrong value: the setting it meant keeps its
    default and the run goes on as if nothing was said (a misspelled STATE_URL writes
    to the default state). A name close to a known one is refused with that name; one
    close to none may belong to a component newsfold does not know, so it is a warning.
    """
    known_names = set(known)
    warnings = []
    for name in given:
        if name in known_names:
            continue
        match = closest(name, known_names, MISSPELLING)
        if match is not None:
            raise ConfigError(f"-s {name}: no such setting; did you mean {match}?")
        warnings.append(f"-s {name}: no component of this project reads this setting")
    return warnings


def read_file(path: str, label: str) -> str:
    """The text of a file the operator named (`label` says how: "-a file=urls.txt")."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file (relative to {Path.cwd()})") from None
    except IsADirectoryError:
        raise ConfigError(f"{label}: is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{label}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise ConfigError(f"{label}: cannot read it ({error.strerror or error})") from None
