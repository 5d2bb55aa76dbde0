"""`newsfold`, the console command `pip install .` gives: the project's commands anywhere.

Scrapy finds a project through a `scrapy.cfg` in the current directory or above it, so
`scrapy crawl` runs only from the checkout. `newsfold` names the project's settings
module instead and hands the command line to Scrapy's own `execute`, so every command of
Scrapy's and of `crawler.commands` (COMMANDS_MODULE) runs as `scrapy` runs it, with the
same options and exit codes. Paths the operator or the settings give relatively (the
state, `output/`, sources and URL files) are the current directory's, as with `scrapy`
in the checkout; nothing is written next to the installed package.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version

import scrapy
from scrapy.cmdline import _get_commands_dict, execute
from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings
from scrapy.utils.project import get_project_settings

from crawler.commands.spider_help import spider_list
from crawler.config import did_you_mean

SETTINGS_MODULE = "crawler.settings"


def main(argv: list[str] | None = None) -> None:
    """Run `newsfold COMMAND ...` as `scrapy COMMAND ...` in the project; exits."""
    argv = list(sys.argv if argv is None else argv)
    # Always the project's settings, even in a folder of another Scrapy project.
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    settings = get_project_settings()
    # Scrapy's own list of the commands (its, its plugins' and the project's), as `scrapy`
    # lists them; private, so Scrapy is pinned to a minor version in pyproject.toml.
    commands = _get_commands_dict(settings, inproject=True)
    name = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    if name is None:  # `newsfold`, `newsfold --help`
        print(overview(commands, settings))
        sys.exit(0)
    if name not in commands:
        print(
            f"newsfold: no command named {name!r}{did_you_mean(name, commands)}; "
            f"`newsfold --help` lists the commands",
            file=sys.stderr,
        )
        sys.exit(2)  # as scrapy exits for an unknown command
    execute(["newsfold", *argv[1:]])


def overview(commands: dict[str, ScrapyCommand], settings: BaseSettings) -> str:
    """`newsfold --help`: the commands and the spiders, one line each."""
    width = max(map(len, commands))
    listed = "\n".join(
        f"  {name:<{width}}  {command.short_desc()}" for name, command in sorted(commands.items())
    )
    return f"""newsfold {version("newsfold")} (Scrapy {scrapy.__version__})

Usage: newsfold COMMAND [options] [args]

Runs the newsfold project's Scrapy commands from any directory, with its settings.
Relative paths (the state under state/, the output under output/, sources and URL
files) are those of the current directory.

Commands
========
{listed}

Spiders
=======
{spider_list(settings)}

Crawl with `newsfold crawl SPIDER [-a NAME=VALUE ...]`. `newsfold COMMAND -h` shows a
command's options; `newsfold crawl SPIDER -h` also that spider's -a arguments."""
