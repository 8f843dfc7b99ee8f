"""The one error type of the domain layer."""

from __future__ import annotations


class FieldError(ValueError):
    """A value typed by a user is not acceptable.

    ``message`` is written for the user, in plain Bahasa Indonesia, and says how to fix the
    input. ``str(error)`` returns exactly that message.
    """

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
