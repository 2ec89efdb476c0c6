"""Errors as structured JSON: {"error": {"code", "message", "fields"}} on every API failure."""

from __future__ import annotations

from rest_framework.views import exception_handler


def structured_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        body = {"code": getattr(detail["detail"], "code", code), "message": str(detail["detail"])}
    else:
        body = {"code": "invalid", "message": "Some fields are not valid.", "fields": detail}
    response.data = {"error": body}
    return response
