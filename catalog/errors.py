"""The one error family services raise: each error carries its code, HTTP status and fields.

Services raise these; `catalog.api_errors.structured_exception_handler` turns them into the API's
error JSON ({"error": {"code", "message", "fields"}}) and `catalog.middleware` into a page
message, so no view maps an error to a status by hand.
"""

from __future__ import annotations


class ShopError(ValueError):
    """A broken rule a person can act on. Subclass it; do not catch it in views."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code is not None:
            self.code = code

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(ShopError):
    """Values that break an entity's rules; `fields` maps each field to its messages."""

    code = "invalid"
    status = 400


class NotFound(ShopError):
    code = "not_found"
    status = 404


class Conflict(ShopError):
    """The request is valid but the current state forbids it (a duplicate, a finished job)."""

    code = "conflict"
    status = 409


class Forbidden(ShopError):
    code = "permission_denied"
    status = 403
