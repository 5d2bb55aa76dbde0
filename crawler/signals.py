"""newsfold's own signals, for components that count what happened per source."""

# Sent when a request or response yields nothing for a named reason:
# `kind` ("skipped" or "error"), `reason`, `url` and `source` (the feed, sitemap, start
# page or named source it came from; None when unknown).
page_refused = object()
