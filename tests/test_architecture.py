"""ARCHITECTURE.md names every module: a module added without its line fails here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules(root: Path = ROOT) -> list[str]:
    """The code's modules as ARCHITECTURE.md writes them: `crawler/items.py`."""
    return sorted(
        str(path.relative_to(root))
        for package in ("crawler", "pipelines")
        for path in (root / package).rglob("*.py")
        if path.name != "__init__.py"
    )


def unnamed(page: str, found: list[str]) -> list[str]:
    return [module for module in found if f"`{module}`" not in page]


def test_architecture_names_every_module():
    missing = unnamed((ROOT / "ARCHITECTURE.md").read_text(), modules())
    assert not missing, "modules without a line in ARCHITECTURE.md: " + ", ".join(missing)


def test_a_module_without_its_line_is_found():
    assert unnamed("- `crawler/items.py`: items", ["crawler/items.py", "crawler/new.py"]) == [
        "crawler/new.py"
    ]
