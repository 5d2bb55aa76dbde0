import pytest

from crawler.exitcodes import FAILED_TO_START, NOTHING_FOUND, OK, TOO_MANY_ERRORS, exit_code

STARTED = {"start_time": "2024-03-05T00:00:00", "newsfold/requests/article": 3}


@pytest.mark.parametrize(
    ("stats", "failed", "expected"),
    [
        (STARTED, False, OK),
        ({}, False, FAILED_TO_START),
        (STARTED, True, FAILED_TO_START),
        ({**STARTED, "downloader/request_count": 4, "log_count/ERROR": 3}, False, TOO_MANY_ERRORS),
        ({**STARTED, "downloader/request_count": 10, "log_count/ERROR": 2}, False, OK),
        ({"start_time": "x", "downloader/request_count": 2}, False, NOTHING_FOUND),
    ],
)
def test_exit_code(stats, failed, expected):
    assert exit_code(stats, failed, max_error_ratio=0.5) == expected
