"""What every state backend is: its errors, its lifecycle, and how it is opened and reached.

The parts of the state by concern (`stories`, `records`, `seen`, `templates`, `runs`)
each extend `Store`, so a caller can type against the part it uses and still open a
transaction; `crawler.state.protocol.StateStore` is all of them, what a backend
implements. `Reach` is what the outage extension (`crawler.extensions.outage`) asks of a
store on a server that can go away.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

NEW_STATE = "New state: created %s (no earlier runs; every page is new)"


class StateError(RuntimeError):
    """The state store cannot be opened or does not fit this version's index."""


class StateMissing(StateError):
    """No state where `STATE_URL` points, and the command may not create one."""


class StateLocked(StateError):
    """Another run holds the state; this one waited `LOCK_WAIT` seconds and gave up."""


class Store(Protocol):
    """What every part of the state has: transactions, and closing."""

    # Whether a page's state calls (collapse, record) may run in threads, off the event
    # loop (`crawler.offload`): a store on a server that answers over the network.
    # SQLite answers from the page cache at once.
    concurrent: bool

    def transaction(self) -> AbstractContextManager[None]: ...
    def close(self) -> None: ...


class Outage(Protocol):
    """The wait of a process's clients for a server out of reach (`crawler.redisconn`)."""

    retry_for: float  # how long the clients wait, in seconds
    setting: str  # the setting that says so, for messages
    url: str  # the server, as it may be shown in a log (no password)
    server: str  # what it is, in words ("Redis")

    def on_give_up(self, callback: Callable[[Any], object]) -> None:
        """Call `callback(outage)` once, when the clients stop waiting."""
        ...


class Reach(Protocol):
    """A server the crawl reaches over the network, which can go away mid-crawl."""

    @property
    def outage(self) -> Outage:
        """Shared by its clients: when it gives up, the crawl stops."""
        ...

    def probe(self) -> None:
        """Wait for the server's answer, through an outage; raise the error that opening
        the store would raise when there is none."""
        ...
