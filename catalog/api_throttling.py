"""API request limits (rates in settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

- `token`: per API token (a person's session counts as one), for every authenticated request.
- `anon`: per client address, for requests without credentials.
- `failed_token`: per client address, for requests whose token is wrong or revoked; checked by
  the authentication class, because DRF authenticates before it throttles and a guessed token
  would otherwise never meet a limit.

A 429 carries Retry-After (DRF's Throttled) and the error JSON (code "throttled").
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from catalog.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # AnonThrottle's turn
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class FailedTokenThrottle(SimpleRateThrottle):
    scope = "failed_token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
