"""Per-client limits on the sign-in pages, kept in the shared cache so every process sees them."""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from rma_portal.cache import SharedCache, count_hit

# Shared by every process; the database cache stands in while Redis is away.
cache = SharedCache("rate limits")

WINDOW_SECONDS = 60 * 60


@dataclass(frozen=True)
class ClientInfo:
    """Who is asking, as far as the audit log and the limits are concerned."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> "ClientInfo":
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        )


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """
    The client's address: ``REMOTE_ADDR``, or the ``X-Forwarded-For`` entry added by the
    outermost of ``TRUSTED_PROXY_COUNT`` proxies.

    Entries to the left of that one were written by the client itself and are ignored, so a
    forged header cannot pick the address the limits are counted against.
    """
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote_addr
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    return _valid_ip(candidate) or remote_addr


@dataclass(frozen=True)
class LimitResult:
    allowed: bool
    retry_after: int
    # True only for the request that went one over the limit: worth one audit row, the
    # rest of a flood is not.
    first_refusal: bool = False


def _ip_key(action: str, ip_address: str | None, window: int) -> str:
    return f"accounts:limit:{action}:{ip_address or 'unknown'}:{window}"


def ip_limit_reached(*, action: str, ip_address: str | None, limit: int) -> int:
    """Without counting: the seconds until ``ip_address`` may ``action`` again, or 0 if it may now."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    if (cache.get(_ip_key(action, ip_address, window)) or 0) < limit:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now))


def hit_ip_limit(*, action: str, ip_address: str | None, limit: int) -> LimitResult:
    """
    Count one request of ``action`` from ``ip_address`` in the current hour (atomic on
    Redis, the production cache, so parallel requests on several hosts cannot overrun the
    limit).
    """
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now))
    count = count_hit(_ip_key(action, ip_address, window), WINDOW_SECONDS + 60)
    return LimitResult(allowed=count <= limit, retry_after=retry_after, first_refusal=count == limit + 1)


def hit_account_limit(*, action: str, user_id: int, limit: int) -> LimitResult:
    """``hit_ip_limit`` counted per signed-in person instead of per client IP."""
    return hit_ip_limit(action=f"{action}:account", ip_address=f"user-{user_id}", limit=limit)
