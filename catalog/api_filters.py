"""Query-string filters shared by the API's filter sets."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from catalog.api_fields import MAX_ID


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before it reaches a query.

    PostgreSQL stores offsets up to ±15:59 only, and Python accepts up to ±23:59: a value such
    as `2024-01-01T00:00+20:00` would reach the database as-is and fail there. In UTC every
    offset is fine; a value that leaves the calendar in UTC (year 1 at +10:00) is a 400.
    """

    def to_python(self, value) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                "Out of range once converted to UTC.", code="overflow"
            ) from exc


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IdFilter(filters.NumberFilter):
    """A row id in the query string: a whole number that fits the primary key.

    NumberFilter takes any decimal; `?job=99999999999999999999` would reach the query and
    overflow the database's integer (a 500) instead of being a 400.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
