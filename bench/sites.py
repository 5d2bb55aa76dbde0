"""The benchmarks' web: `sample/serve.py` over a folder of sites, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def serve(root: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the server over `root`; the process and the address it prints."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "sample" / "serve.py"), "--root", str(root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()
