"""Dead letters that cannot be stored as they are: shown escaped, original bytes kept."""

from __future__ import annotations

import base64
import json

from processing_service.dead_letters.service import _jsonable, storable_body


def test_a_clean_body_is_stored_as_it_is() -> None:
    assert storable_body(b'{"a": 1}') == ('{"a": 1}', None)


def test_nul_bytes_and_invalid_utf8_are_shown_escaped_and_kept_as_base64() -> None:
    for body in (b"a\x00b", b"\xff\xfe bad", b"\x00\xff"):
        shown, original = storable_body(body)
        assert "\x00" not in shown
        shown.encode("utf-8")  # storable text
        assert original is not None and base64.b64decode(original) == body


def test_headers_become_json_without_nul_characters() -> None:
    headers = _jsonable({"k\x00": [b"\xff", "v\x00", 1, None, object()], "n": {"x": b"y"}})
    text = json.dumps(headers)
    assert "\\u0000" not in text
    assert headers["n"] == {"x": "y"}
