"""The read cache and ETag rules, without a database."""

from __future__ import annotations

from catalog_service.core.read_cache import ReadCache, etag_matches, make_body, strong_etag


def test_strong_etag_is_a_quoted_hash_of_the_body() -> None:
    etag = strong_etag(b'{"data":[],"count":0}')
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert etag == strong_etag(b'{"data":[],"count":0}')
    assert etag != strong_etag(b'{"data":[],"count":1}')


def test_if_none_match() -> None:
    etag = '"abc"'
    assert etag_matches('"abc"', etag)
    assert etag_matches('W/"abc"', etag)
    assert etag_matches('"x", "abc"', etag)
    assert etag_matches("*", etag)
    assert not etag_matches('"abcd"', etag)
    assert not etag_matches("", etag)
    assert not etag_matches(None, etag)


def test_entries_count_only_for_their_version() -> None:
    cache = ReadCache(max_entries=10)
    assert cache.get("k", version=1) is None
    cache.put("k", make_body(1, b"v1"))
    hit = cache.get("k", version=1)
    assert hit is not None and hit.body == b"v1"
    # A newer version drops everything cached before it.
    assert cache.get("k", version=2) is None
    assert len(cache) == 0


def test_a_body_read_at_another_version_is_not_kept() -> None:
    cache = ReadCache(max_entries=10)
    cache.get("k", version=5)
    # Read while version 4 was current, stored after 5 arrived: must not be served as 5.
    cache.put("k", make_body(4, b"old"))
    assert cache.get("k", version=5) is None
    # Read at 6 while 5 is still current here: not served for 5 either.
    cache.put("k", make_body(6, b"newer"))
    assert cache.get("k", version=5) is None


def test_the_cache_is_bounded_and_evicts_the_least_recently_used() -> None:
    cache = ReadCache(max_entries=2)
    cache.get("a", version=1)
    cache.put("a", make_body(1, b"a"))
    cache.put("b", make_body(1, b"b"))
    assert cache.get("a", version=1) is not None  # a is now the most recent
    cache.put("c", make_body(1, b"c"))
    assert len(cache) == 2
    assert cache.get("b", version=1) is None
    assert cache.get("a", version=1) is not None
    assert cache.get("c", version=1) is not None
