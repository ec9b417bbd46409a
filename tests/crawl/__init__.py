"""The marker crawl's helpers: records that carry markers (markers.py) and the crawler (crawler.py).
The test itself is tests/core/test_marker_crawl.py."""
