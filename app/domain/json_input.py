"""Reading JSON that came from outside (issue 9, defect 8): every route that parses a body or
an uploaded file uses ``parse_json``, so none of them can be made to recurse itself to death.

``json.loads`` raises RecursionError on very deep nesting (100,000 ``[``), which no route
expected: a 500 with a stack trace. Deep but parseable nesting is refused too: nothing we
take is more than a few levels deep, and deeper data would only reach code that recurses.
"""

from __future__ import annotations

import json
from typing import Any

from app.domain.errors import FieldError

MAX_DEPTH = 32
MSG_NOT_JSON = "Isi data bukan JSON yang sah."
MSG_TOO_DEEP = f"Data JSON terlalu bertingkat (paling banyak {MAX_DEPTH} tingkat)."


class BadJson(FieldError):
    """Not JSON, or nested deeper than we take; ``message`` says which, for the user."""


class TooDeep(BadJson):
    """JSON nested deeper than ``MAX_DEPTH``."""


def parse_json(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    try:
        data = json.loads(raw)
    except RecursionError:
        raise TooDeep(MSG_TOO_DEEP) from None
    except (UnicodeDecodeError, ValueError):
        raise BadJson(MSG_NOT_JSON) from None
    if nesting_depth(data) > max_depth:
        raise TooDeep(MSG_TOO_DEEP)
    return data


def nesting_depth(data: Any) -> int:
    """How many lists/objects deep ``data`` goes (a scalar: 0). Iterative: no recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest
