"""Validators for profile fields."""

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError

_TIME_ZONES = frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _TIME_ZONES:
        raise ValidationError(
            "'%(value)s' is not a known time zone; use an IANA name such as Europe/Paris.",
            params={"value": value},
            code="invalid_time_zone",
        )
