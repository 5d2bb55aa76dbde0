"""`scrapy report` reads a state and never creates one; a report it cannot write is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.exitcodes import FAILED_TO_START
from crawler.state import open_state
from tests.conftest import crawl_command


def report(workdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = crawl_command("urls", workdir)[1]
    command = [sys.executable, "-m", "scrapy", "report", *options]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=60)


def test_a_missing_state_is_one_line_and_no_report(tmp_path):
    done = report(tmp_path, "-s", f"STATE_URL=sqlite:///{tmp_path}/typo.sqlite")
    assert done.returncode == FAILED_TO_START
    assert done.stderr.count("\n") == 1 and f"no state at {tmp_path}/typo.sqlite" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_state_gives_a_report_at_the_default_path(tmp_path):
    open_state(f"sqlite:///{tmp_path}/state/newsfold.sqlite").close()
    done = report(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "output/report.html\n", "")
    page = (tmp_path / "output" / "report.html").read_text()
    assert "<b>0</b> stories" in page and "No run is listed in the state." in page


def test_a_report_that_cannot_be_written_is_one_line(tmp_path):
    open_state(f"sqlite:///{tmp_path}/s.sqlite").close()
    (tmp_path / "file").write_text("")
    done = report(tmp_path, "-s", f"STATE_URL=sqlite:///{tmp_path}/s.sqlite", "-o", "file/r.html")
    assert done.returncode == FAILED_TO_START and "Traceback" not in done.stderr
    assert (
        done.stderr.count("\n") == 1
        and "cannot write the report: File exists: 'file'" in done.stderr
    )
