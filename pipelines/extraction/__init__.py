"""The extraction library: a parsed page's title, authors, dates, body, credits and
language, by pure functions free of Scrapy (tests/test_layers.py checks it).

The Scrapy stages in `pipelines/` call it (`pipelines.extract`, `pipelines.clean`), and
so do the benchmarks, directly on stored pages.
"""
