"""Domain errors shared by every context; the API and the pages map them to responses."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a use-case raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Conflict(DomainError):
    """The request is valid but clashes with the current state."""
