"""One JSON reader for everything from outside (issue 9, defect 8)."""

from __future__ import annotations

import pytest

from app.domain.json_input import MAX_DEPTH, BadJson, TooDeep, nesting_depth, parse_json


def test_ordinary_json_is_read() -> None:
    assert parse_json(b'{"items": [{"id": "a", "body": {"kbli": ["56102"]}}]}') == {
        "items": [{"id": "a", "body": {"kbli": ["56102"]}}]}
    assert parse_json("3") == 3


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 100_000])
def test_deep_nesting_is_refused_not_crashed(depth: int) -> None:
    with pytest.raises(TooDeep, match="terlalu bertingkat"):
        parse_json(b"[" * depth + b"]" * depth)
    with pytest.raises(TooDeep):
        parse_json(b'{"a":' * depth + b"1" + b"}" * depth)


def test_the_deepest_allowed_nesting_is_read() -> None:
    assert nesting_depth(parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)) == MAX_DEPTH


@pytest.mark.parametrize("raw", [b"", b"bukan json", b"\xff\xfe", b"[1,", b"{'a': 1}"])
def test_not_json_is_refused(raw: bytes) -> None:
    with pytest.raises(BadJson, match="bukan JSON"):
        parse_json(raw)


def test_depth_counts_containers_only() -> None:
    assert nesting_depth(1) == 0
    assert nesting_depth([]) == 1
    assert nesting_depth({"a": [1, {"b": []}], "c": 2}) == 4
