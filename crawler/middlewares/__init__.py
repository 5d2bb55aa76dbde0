"""Downloader middlewares of newsfold."""
