"""Imports between the packages go one way, read from the source.

`pipelines/` (the Scrapy stages and the extraction library) may import `crawler/` (items,
state, settings helpers); `crawler/` never imports `pipelines/` (the add-on names pipeline
classes by dotted-path strings, which is not an import). The pure logic (the extraction
library, `extract_document` and `clean_page` among it, and the collapse decision,
`pipelines/collapser.py`) is free of Scrapy and Twisted, also through the modules it
imports, so benchmarks and other programs call it without a crawler. The extraction
library does not even name them for types; the collapser's state (`crawler.state`) types
its `settings` parameters as Scrapy's settings in TYPE_CHECKING blocks, which import
nothing when the code runs, so the collapser is checked for what it imports at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRACTION = ROOT / "pipelines" / "extraction"
COLLAPSER = ROOT / "pipelines" / "collapser.py"
FRAMEWORKS = {"scrapy", "scrapy_redis", "twisted"}


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking(node: ast.AST) -> bool:
    """Whether `node` is an `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) block."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, typing: bool = True) -> Iterator[str]:
    """Every module `path` imports, anywhere in it (functions; TYPE_CHECKING blocks unless
    `typing` is off), and for `from a import b` also `a.b`, which may be a module."""
    module = module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"), str(path))]
    while todo:
        node = todo.pop()
        if not typing and type_checking(node):
            assert isinstance(node, ast.If)
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def source_of(module: str) -> Path | None:
    """The repository's file of `module`, if it is one of ours."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def framework_chain(start: Path, typing: bool = True) -> list[str] | None:
    """The chain of our modules by which `start` reaches Scrapy or Twisted, if it does
    (only at run time: `typing` off)."""
    chains = {start: [module_of(start)]}
    todo = [start]
    while todo:
        path = todo.pop()
        for name in imports(path, typing):
            if name.split(".")[0] in FRAMEWORKS:
                return [*chains[path], name]
            parts = name.split(".")
            # A module's packages run first: `crawler.items` runs `crawler/__init__.py`.
            for depth in range(1, len(parts) + 1):
                found = source_of(".".join(parts[:depth]))
                if found is not None and found not in chains:
                    chains[found] = [*chains[path], module_of(found)]
                    todo.append(found)
    return None


def test_crawler_never_imports_pipelines() -> None:
    found = {
        f"{path.relative_to(ROOT)}: {'.'.join(name.split('.')[:2])}"
        for path in sorted((ROOT / "crawler").rglob("*.py"))
        for name in imports(path)
        if name.split(".")[0] == "pipelines"
    }
    assert not found, "crawler/ imports pipelines/:\n" + "\n".join(sorted(found))


def test_extraction_library_is_free_of_scrapy() -> None:
    modules = sorted(EXTRACTION.glob("*.py"))
    assert len(modules) > 10, "the extraction library has moved: update EXTRACTION"
    assert {"document.py", "cleaning.py"} <= {path.name for path in modules}
    found = [" -> ".join(chain) for path in modules if (chain := framework_chain(path))]
    assert not found, "the extraction library imports a framework:\n" + "\n".join(found)


def test_collapse_decision_is_free_of_scrapy() -> None:
    assert COLLAPSER.is_file(), "the collapse decision has moved: update COLLAPSER"
    chain = framework_chain(COLLAPSER, typing=False)
    assert chain is None, "the collapse decision imports a framework: " + " -> ".join(chain)


def test_the_check_sees_a_framework_import() -> None:
    """The scan finds an import of Scrapy through another module of ours."""
    chain = framework_chain(ROOT / "pipelines" / "templates.py")
    assert chain is not None and chain[-1].split(".")[0] in FRAMEWORKS
    assert framework_chain(ROOT / "pipelines" / "templates.py", typing=False) is not None


def test_the_run_time_check_leaves_out_type_checking_blocks() -> None:
    """Only a TYPE_CHECKING block of `crawler.state.sqlite` names Scrapy."""
    sqlite = ROOT / "crawler" / "state" / "sqlite.py"
    assert framework_chain(sqlite) == ["crawler.state.sqlite", "scrapy.settings"]
    assert framework_chain(sqlite, typing=False) is None
