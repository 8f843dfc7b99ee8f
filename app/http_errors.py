"""HTTP errors whose message is written for the user (Bahasa Indonesia)."""

from __future__ import annotations

from litestar.exceptions import HTTPException


def user_error(status_code: int, error: str, message: str) -> HTTPException:
    """An HTTPException whose ``detail`` is shown to the user as it is."""
    exc = HTTPException(status_code=status_code, detail=message)
    exc.extra = {"error": error, "user_message": True}
    return exc
