"""The HTTP client for PayPal: paypalrestsdk's ``Api`` with a timeout, the credentials and hosts, one call."""

from __future__ import annotations

import functools
import json
import logging
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import paypalrestsdk
import requests
from django.conf import settings
from paypalrestsdk import exceptions as sdk_errors

from payments.paypal.errors import (
    PayPalError,
    PayPalNotConfigured,
    PayPalTimeout,
    PayPalUnavailable,
    _answer_error,
    _call_name,
    _unexpected,
)

logger = logging.getLogger("payments.paypal")

ENDPOINTS = {
    "sandbox": "https://api-m.sandbox.paypal.com",
    "live": "https://api-m.paypal.com",
}


def _quiet_sdk_logger() -> None:
    logging.getLogger("paypalrestsdk").setLevel(logging.WARNING)


_quiet_sdk_logger()


class TimeoutApi(paypalrestsdk.Api):
    """paypalrestsdk's client with a timeout on every request it makes, the token one too."""

    def __init__(self, *, timeout: float, **options):
        super().__init__(**options)
        self.timeout = timeout

    def request(self, url, method, body=None, headers=None, refresh_token=None):
        """The SDK's request, minus two traps: a JSON ``null`` body on GET, and endless
        recursion when PayPal keeps answering 401 to a freshly issued token."""
        for attempt in range(2):
            http_headers = {
                **self.headers(refresh_token=refresh_token, headers=headers or {}),
                **(headers or {}),
            }
            data = None if method == "GET" else json.dumps(body or {})
            try:
                return self.http_call(url, method, data=data, headers=http_headers)
            except sdk_errors.BadRequest as error:
                try:
                    return {"error": json.loads(error.content)}
                except ValueError:
                    return {"error": {"name": "BAD_REQUEST"}}
            except sdk_errors.UnauthorizedAccess:
                if attempt or not self.token_hash:
                    raise
                self.token_hash = None  # expired or revoked: fetch a new one, once
        raise AssertionError("unreachable")

    def http_call(self, url, method, **kwargs):
        kwargs["timeout"] = self.timeout
        _quiet_sdk_logger()  # a logging config loaded later must not turn it back on
        try:
            return super().http_call(url, method, **kwargs)
        except requests.Timeout:
            raise PayPalTimeout(f"PayPal did not answer within {self.timeout:g} s ({method}).") from None
        except requests.RequestException as error:
            raise PayPalUnavailable(f"PayPal could not be reached ({type(error).__name__}).") from None


@functools.lru_cache(maxsize=4)
def _client(client_id: str, client_secret: str, mode: str, base_url: str, timeout: float) -> TimeoutApi:
    # One client per configuration, so its OAuth token is reused until it expires.
    return TimeoutApi(
        timeout=timeout,
        mode=mode,
        client_id=client_id,
        client_secret=client_secret,
        endpoint=base_url,
        token_endpoint=base_url,
    )


def is_configured() -> bool:
    """Whether PayPal credentials are set."""
    return bool(settings.PAYPAL_CLIENT_ID and settings.PAYPAL_CLIENT_SECRET)


def base_url() -> str:
    """The REST host: ``PAYPAL_API_BASE_URL`` if set, else the one for ``PAYPAL_MODE``."""
    if settings.PAYPAL_API_BASE_URL:
        return settings.PAYPAL_API_BASE_URL.rstrip("/")
    try:
        return ENDPOINTS[settings.PAYPAL_MODE]
    except KeyError:
        raise PayPalNotConfigured(
            f"PAYPAL_MODE must be 'sandbox' or 'live', not {settings.PAYPAL_MODE!r}."
        ) from None


# Where PayPal shows the payer the approval page of an order.
APPROVAL_ORIGINS = {
    "sandbox": "https://www.sandbox.paypal.com",
    "live": "https://www.paypal.com",
}


def approval_origin() -> str:
    """The origin of PayPal's approval pages, which the method page's form may lead to (its
    Content-Security-Policy allows it): PayPal's own, or a stand-in PayPal's set by
    ``PAYPAL_API_BASE_URL`` that serves them itself."""
    base = base_url()
    if base in ENDPOINTS.values():
        return APPROVAL_ORIGINS["live" if base == ENDPOINTS["live"] else "sandbox"]
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def client() -> TimeoutApi:
    """The configured client; raises ``PayPalNotConfigured`` without credentials."""
    if not is_configured():
        raise PayPalNotConfigured("PayPal is not configured (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET).")
    mode = "live" if settings.PAYPAL_MODE == "live" else "sandbox"
    return _client(
        settings.PAYPAL_CLIENT_ID,
        settings.PAYPAL_CLIENT_SECRET,
        mode,
        base_url(),
        float(settings.PAYPAL_TIMEOUT),
    )


def _call(method: str, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
    """One request to PayPal; every answer but a 2xx JSON object raises a ``PayPalError``
    sorted by ``_answer_error``."""
    api = client()
    url = f"{api.endpoint}/{path.lstrip('/')}"
    try:
        if method == "GET":
            answer = api.request(url, "GET", headers=headers or {})
        else:
            answer = api.request(url, method, body=body or {}, headers=headers or {})
    except PayPalError as error:  # a timeout or an unreachable PayPal (``TimeoutApi.http_call``)
        error.call = error.call or _call_name(method, path)
        raise
    except sdk_errors.ConnectionError as error:  # the SDK's base class for every HTTP error
        status = getattr(error.response, "status_code", None)
        content = getattr(error, "content", None) or getattr(error.response, "text", "")
        raise _answer_error(status, content, method, path) from None
    except ValueError:  # a 2xx whose body is not JSON
        raise _unexpected(
            _call_name(method, path), "malformed", f"PayPal's answer to {method} {path} is not JSON."
        ) from None
    if isinstance(answer, dict) and set(answer) == {"error"}:
        # ``TimeoutApi.request`` turns a 400 into {"error": ...} instead of raising.
        raise _answer_error(400, answer["error"], method, path)
    return answer if isinstance(answer, dict) else {}


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _paypal_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
