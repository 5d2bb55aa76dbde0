"""`scrapy clusters` reads a state and never creates one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.exitcodes import FAILED_TO_START
from crawler.state import open_state
from tests.conftest import crawl_command


def clusters(workdir: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "clusters", "--min-size", "1"]
    for setting in settings:
        command += ["-s", setting]
    env = crawl_command("urls", workdir)[1]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=60)


def test_a_missing_sqlite_state_is_one_line_and_exit_3(tmp_path):
    state = tmp_path / "typo" / "state.sqlite"
    done = clusters(tmp_path, f"STATE_URL=sqlite:///{state}")
    assert done.returncode == FAILED_TO_START
    assert done.stdout == ""
    assert done.stderr == (
        f"Failed to start (exit code 3): no state at {state}: nothing has been crawled with "
        "this STATE_URL (a crawl creates it; check the path)\n"
    )
    assert not state.parent.exists()


def test_the_default_state_missing_is_refused_too(tmp_path):
    done = clusters(tmp_path)
    assert done.returncode == FAILED_TO_START
    assert f"no state at {tmp_path / 'state' / 'newsfold.sqlite'}" in done.stderr
    assert not (tmp_path / "state").exists()


def test_a_redis_prefix_with_no_state_is_refused_and_left_empty(tmp_path, redis_server):
    done = clusters(tmp_path, f"STATE_URL={redis_server.url}?prefix=typo")
    assert done.returncode == FAILED_TO_START
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"no state on {redis_server.url} (prefix 'typo')" in done.stderr
    assert redis_server.client().dbsize() == 0


def test_an_existing_state_is_read(tmp_path, redis_server):
    for url in (f"sqlite:///{tmp_path}/state.sqlite", f"{redis_server.url}?prefix=p"):
        open_state(url).close()  # as a crawl leaves it, with no story yet
        done = clusters(tmp_path, f"STATE_URL={url}")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_misspelled_setting_is_refused(tmp_path):
    done = clusters(tmp_path, f"STATE_ULR=sqlite:///{tmp_path}/s.sqlite")
    assert done.returncode == FAILED_TO_START
    assert "-s STATE_ULR: no such setting; did you mean STATE_URL?" in done.stderr
    assert list(tmp_path.iterdir()) == [], "no state was created"
