"""newsfold's Scrapy commands."""
