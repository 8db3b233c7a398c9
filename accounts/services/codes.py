"""The bookkeeping of sign-in codes: the pending sign-in, the codes issued and kept, the
cool-downs, the audit rows."""

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import asdict, dataclass
from enum import Enum

from django.conf import settings
from django.core.cache import BaseCache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.views.decorators.debug import sensitive_variables

from accounts.limits import ClientInfo
from accounts.models import LoginCodeDevice, SignInEvent, User, login_code_digest
from rma_portal.cache import SharedCache, on_shared_cache
from rma_portal.outbox import Handover

STAFF_TOTP_DEVICE_NAME = "Authenticator app"
# How many codes sent earlier in one sign-in are still recognised as replaced, not wrong.
EARLIER_CODES_RECOGNISED = 3
# How long after its expiry a code is still recognised as expired rather than wrong.
EXPIRED_CODES_RECOGNISED_FOR = 24 * 60 * 60
# What became of each code (for whom it was issued, until when), and the codes of browsers
# whose code another browser's request displaced from the device, still usable there.
# Shared by every process; the database cache stands in while Redis is away.
sign_in_codes = SharedCache("sign-in codes")


def sign_in_event_create(
    *, kind: SignInEvent.Kind, client: ClientInfo, user: User | None = None, email: str = ""
) -> SignInEvent:
    """Append one row to the sign-in audit log."""
    return SignInEvent.objects.create(
        kind=kind,
        user=user,
        email=email or (user.email if user else ""),
        ip_address=client.ip_address,
        user_agent=client.user_agent,
    )


@dataclass(frozen=True)
class PendingLogin:
    """
    A sign-in waiting for its code, kept by the browser that asked for it (a signed cookie,
    ``accounts.views._keep_pending``).

    It looks the same whether or not the address belongs to a customer: the customer is
    looked up when the code is checked. ``failures`` mirrors the count kept in the shared
    cache (``accounts.guesses``), for the verify page. ``earlier_bindings`` are the bindings
    of the codes this browser asked for before the current one, newest first, so that an
    old code can be told apart from a wrong one (``login_code_verify``).
    """

    email: str
    binding: str
    expires_at: float
    failures: int = 0
    last_failure_at: float | None = None
    earlier_bindings: tuple[str, ...] = ()

    def to_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict | None) -> "PendingLogin | None":
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{**data, "earlier_bindings": tuple(data.get("earlier_bindings", ()))})
        except TypeError:  # stored by an earlier release: the customer asks for a new code
            return None


@dataclass(frozen=True)
class SendResult:
    sent: bool
    retry_after: int = 0
    pending: PendingLogin | None = None
    handover: Handover | None = None

    @property
    def delayed(self) -> bool:
        """The broker refused the request (known once the transaction that wrote it has committed)."""
        return self.handover is not None and self.handover.delayed


def _customer_for_email(email: str) -> User | None:
    # Staff sign in through the admin with a password and TOTP, never with an emailed code.
    return (
        User.objects.with_email(email)
        .filter(models.Q(is_active=True) | models.Q(awaiting_first_sign_in=True), is_staff=False)
        .first()
    )


def _first_sign_in_holder(email: str) -> User | None:
    """
    The inactive row that holds the code of an address with no account yet (made here, or
    by a request before), or ``None`` when the address belongs to someone who may not sign
    in by code: a member of staff, or a customer whose account was closed.
    """
    if User.objects.with_email(email).exists():
        return _customer_for_email(email)
    try:
        with transaction.atomic():
            return User.objects.create_user(email, is_active=False, awaiting_first_sign_in=True)
    except (IntegrityError, ValidationError):
        # Another request for the same address made it first (or the address is not one).
        return _customer_for_email(email)


def _new_pending(*, email: str, replacing: PendingLogin | None = None) -> PendingLogin:
    earlier: tuple[str, ...] = ()
    if replacing is not None and replacing.email.strip().lower() == email.lower():
        earlier = (replacing.binding, *replacing.earlier_bindings)[:EARLIER_CODES_RECOGNISED]
    return PendingLogin(
        email=email,
        binding=secrets.token_urlsafe(24),
        expires_at=time.time() + settings.LOGIN_CODE_VALIDITY,
        earlier_bindings=earlier,
    )


def _sign_in_id(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()[:32]


def _issued_key(digest: str) -> str:
    return "accounts:issued-code:" + digest


def _kept_key(sign_in_id: str) -> str:
    return "accounts:kept-code:" + sign_in_id


def _record_issued_code(
    *, digest: str, binding: str, valid_until: float, earlier_bindings: tuple[str, ...], displaced: str | None
) -> None:
    """
    Note the code just issued for ``binding``; void this browser's earlier codes; and keep
    ``displaced``, the device's previous code, usable by its own browser when that was
    another one: a request from one browser never voids another browser's code.
    """
    now = time.time()
    sign_in_codes.set(
        _issued_key(digest),
        {"sign_in": _sign_in_id(binding), "valid_until": valid_until},
        timeout=math.ceil(valid_until - now) + EXPIRED_CODES_RECOGNISED_FOR,
    )
    own = {_sign_in_id(earlier) for earlier in earlier_bindings}
    if own:
        sign_in_codes.delete_many([_kept_key(sign_in) for sign_in in own])
    previous = sign_in_codes.get(_issued_key(displaced)) if displaced else None
    if previous and previous["sign_in"] not in own and previous["valid_until"] - now >= 1:
        sign_in_codes.set(
            _kept_key(previous["sign_in"]),
            {"digest": displaced, "valid_until": previous["valid_until"]},
            timeout=math.ceil(previous["valid_until"] - now),
        )


def _use_kept_code(*, binding: str, digest: str) -> bool:
    """Use up this browser's code kept aside when another browser was sent a newer one."""
    key = _kept_key(_sign_in_id(binding))
    kept = sign_in_codes.get(key)
    if not kept or not hmac.compare_digest(kept["digest"], digest) or kept["valid_until"] <= time.time():
        return False
    # Of two requests racing with the right code, only one deletes the entry (atomic on Redis).
    return bool(sign_in_codes.delete(key))


def login_code_is_live(*, device: LoginCodeDevice, digest: str) -> bool:
    """Whether the code with ``digest`` may still be used: the device's, or one kept for its browser."""
    if device.token == digest and device.has_live_code():
        return True
    issued = sign_in_codes.get(_issued_key(digest))
    kept = sign_in_codes.get(_kept_key(issued["sign_in"])) if issued else None
    return bool(kept) and kept["digest"] == digest and kept["valid_until"] > time.time()


class EarlierCode(Enum):
    REPLACED = "replaced"
    EXPIRED = "expired"


@sensitive_variables("code")
def _earlier_code(*, device_id: int, pending: PendingLogin, code: str) -> EarlierCode | None:
    """Whether ``code`` is one this session was sent that expired, or that a newer one replaced.

    The digests bind the device, the session's requests and the code, so only a code
    emailed to this session's address for this session can match; every address, known or
    not, takes the same steps.
    """
    bindings = (pending.binding, *pending.earlier_bindings)
    keys = [
        _issued_key(login_code_digest(device_id=device_id, binding=binding, code=code))
        for binding in bindings
    ]
    found = sign_in_codes.get_many(keys)
    now = time.time()
    if any(issued["valid_until"] <= now for issued in found.values()):
        return EarlierCode.EXPIRED
    if any(key in found for key in keys[1:]):
        return EarlierCode.REPLACED
    return None


def _cooldown_wait(email: str) -> int:
    """
    Start the address's cooldown and return 0, or the seconds still to wait when it runs.

    ``cache.add`` is atomic on Redis, the production cache, so of two requests for one
    address on any number of hosts only one gets through. The stored time decides, as
    django-otp's timestamp does; the entry's expiry only cleans up. While Redis is away the
    cooldown is kept in the database cache.
    """
    cooldown = settings.LOGIN_CODE_COOLDOWN
    if cooldown <= 0:
        return 0
    key = "accounts:send-cooldown:" + hashlib.sha256(email.lower().encode()).hexdigest()
    return on_shared_cache("sign-in cooldown", lambda cache: _cooldown_wait_on(cache, key, cooldown))


def _cooldown_wait_on(cache: BaseCache, key: str, cooldown: int) -> int:
    now = time.time()
    keep_for = cooldown + 60
    if cache.add(key, now, timeout=keep_for):
        return 0
    started = cache.get(key) or 0.0
    if now - started <= cooldown:
        # A request that read the clock a moment before the one that started the cooldown
        # would otherwise count a second more than the cooldown lasts.
        return max(1, min(cooldown, math.ceil(started + cooldown - now)))
    cache.set(key, now, timeout=keep_for)
    return 0
