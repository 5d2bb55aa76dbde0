"""Log lines that name a dropped page by its URL instead of dumping the whole item.

Scrapy's default prints a dropped or failed item in full; a page item carries the raw
HTML, which would flood the log.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def _describe(item: Any) -> str:
    url = getattr(item, "url", None)
    return f"<{type(item).__name__} {url}>" if url else repr(item)


def _with_short_item(result: LogFormatterResult, item: Any) -> LogFormatterResult:
    args = result["args"]
    if isinstance(args, dict):
        result["args"] = {**args, "item": _describe(item)}
    return result


class NewsLogFormatter(LogFormatter):
    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return _with_short_item(result, item)

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        return _with_short_item(result, item)
