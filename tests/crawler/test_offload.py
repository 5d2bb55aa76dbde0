"""State calls run in place without threads, in a thread of their own with them."""

from __future__ import annotations

import asyncio
import threading

import pytest

from crawler.offload import StateThreads


def test_without_threads_a_call_runs_in_place():
    threads = StateThreads(0)
    assert asyncio.run(threads.call(threading.get_ident)) == threading.get_ident()
    threads.close()


def test_with_threads_calls_leave_the_event_loop_and_overlap():
    threads = StateThreads(2)
    both = threading.Barrier(2, timeout=5)  # each call waits until the other has started

    def meet(n: int) -> tuple[int, int]:
        both.wait()
        return n, threading.get_ident()

    async def main() -> list[tuple[int, int]]:
        return list(await asyncio.gather(threads.call(meet, 1), threads.call(meet, 2)))

    found = asyncio.run(main())
    threads.close()
    assert [n for n, _ in found] == [1, 2]
    assert threading.get_ident() not in {ident for _, ident in found}


def test_a_failing_call_raises_where_it_was_awaited():
    threads = StateThreads(1)

    def fail() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        asyncio.run(threads.call(fail))
    threads.close()
