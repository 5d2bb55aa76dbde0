"""The state that outlives a run: the duplicate index and the record of every page written.

`STATE_URL` names it (`crawler.state.factory`): SQLite by default (`crawler.state.sqlite`),
Redis for many crawler processes (`crawler.state.redis`). The protocol a backend
implements is split by concern, so a caller types against the part it uses: the index and
its stories (`stories`), the records and their outbox (`records`), the seen URLs
(`seen`), the site templates' blocks (`templates`) and the runs (`runs`);
`crawler.state.protocol.StateStore` is all of them. A crawler's one store is
`crawler.state.per_crawler.state_for`, the only module here that imports Scrapy.
"""

from crawler.state.base import StateError, StateLocked, StateMissing
from crawler.state.factory import BACKENDS, backend_for, open_state
from crawler.state.protocol import Backend, StateStore
from crawler.state.redis import RedisState
from crawler.state.sqlite import DEFAULT_STATE_URL, SQLiteState

__all__ = [
    "BACKENDS",
    "DEFAULT_STATE_URL",
    "Backend",
    "RedisState",
    "SQLiteState",
    "StateError",
    "StateLocked",
    "StateMissing",
    "StateStore",
    "backend_for",
    "open_state",
]
