"""Errors as structured JSON: {"error": {"code", "message", "fields"}} on every API failure.

- One object (authentication, permission, not found, conflict):
  {"error": {"code": "not_found", "message": "Not found."}}
- A rule a service enforces (a `catalog.errors.ShopError`): the error's own status and
  {"error": {"code": "conflict", "message": "Only a failed or cancelled job can be retried."}}.
- A form-like body: {"error": {"code": "invalid", "message": "...", "fields": {"price": ["..."],
  "attributes": {"colour": ["..."]}}}} (nested serializers keep their nesting).
- A bulk request: {"error": {"code": "invalid", "message": "2 of 500 items are not valid; nothing
  was stored.", "items": [{"index": 3, "fields": {"sku": ["..."]}}]}}.

`ShopAutoSchema` documents these bodies on every operation, so that a generated client knows
the error shape too.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from catalog.errors import ShopError


class BulkValidationError(exceptions.ValidationError):
    """A bulk request with bad items: `items` is [{"index": i, "fields": {...}}]."""

    default_code = "invalid"

    def __init__(self, items: list[dict], total: int):
        self.items = items
        self.total = total
        super().__init__(
            f"{len(items)} of {total} items are not valid; nothing was stored.", code="invalid"
        )


def _message(detail) -> str:
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    return str(detail)


def structured_exception_handler(exc, context):
    if isinstance(exc, ShopError):
        # A service's rule, broken by a request that passed the serializer: the error carries
        # its own status, so no API view catches it.
        set_rollback()
        return Response({"error": exc.as_dict()}, status=exc.status)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, BulkValidationError):
        body = {"code": "invalid", "message": _message(detail), "items": exc.items}
    elif isinstance(detail, dict) and set(detail) == {"detail"}:
        code = getattr(detail["detail"], "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail["detail"])}
    elif isinstance(detail, dict):
        body = {"code": "invalid", "message": "Some fields are not valid.", "fields": detail}
    else:
        # ValidationError("...") raised with a message, not a field map.
        body = {"code": "invalid", "message": _message(detail)}
    response.data = {"error": body}
    return response


# --- Schema -------------------------------------------------------------------------------


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request's list.")
    fields = serializers.DictField(help_text="Field name -> list of messages.")


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="invalid, not_found, not_authenticated, ...")
    message = serializers.CharField()
    fields = serializers.DictField(
        required=False, help_text="Field name -> list of messages (nested for nested fields)."
    )
    items = ItemErrorSerializer(
        many=True, required=False, help_text="Per-item errors of a bulk request."
    )


class ErrorResponseSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR_DESCRIPTIONS = {
    "400": "Validation error (a body, or a query parameter such as a filter)",
    "401": "Missing, invalid or revoked token",
    "403": "The member's role does not allow this",
    "404": "No such object in this shop, or a page past the end of the list",
    "429": "Too many requests; wait the seconds in Retry-After",
    "500": "Server error (logged; the body never carries details)",
}


class ShopAutoSchema(AutoSchema):
    """AutoSchema that documents the structured error responses on every operation.

    Every operation may answer 401, 403, 429 and 500; 400 wherever the request carries input
    (a body, or query parameters: filters, ordering, paging); 404 wherever it names an object
    or a page. Conflicts (409) are declared by the operations whose service can raise one.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = self.resolve_serializer(ErrorResponseSerializer, "response")
        responses = operation.setdefault("responses", {})
        codes = ["401", "403", "429", "500"]
        takes_query = any(param.get("in") == "query" for param in operation.get("parameters", []))
        if method in ("POST", "PUT", "PATCH") or takes_query:
            codes.append("400")
        if "{" in path or self._is_paginated():
            codes.append("404")
        for code in sorted(codes):
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": component.ref}},
                    "description": ERROR_DESCRIPTIONS[code],
                },
            )
        return operation

    def _is_paginated(self) -> bool:
        return self._is_list_view() and getattr(self.view, "pagination_class", None) is not None
