"""Benchmarks and test webs for newsfold (a package, so tests and mypy can import them)."""
