"""The catalog's named errors, raised by its services and translated once, at the edge."""

from __future__ import annotations


class ProductError(Exception):
    """A product operation the rules refuse; the message says why in plain words."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ProductError):
    pass


class InvalidTransition(ProductError):
    pass


class InsufficientStock(ProductError):
    pass


class ListingBlocked(ProductError):
    """The policy blocks the listing; ``reasons`` says which rules and why."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons
