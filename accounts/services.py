"""Every write of the sign-in flow: issuing codes, checking them, the audit log, staff accounts."""

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.cache import BaseCache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.guesses import GuessRefusal, guess_abandon, guess_begin, guess_done
from accounts.limits import ClientInfo
from accounts.models import LOGIN_CODE_DEVICE_NAME, LoginCodeDevice, SignInEvent, User, login_code_digest
from rma_portal.cache import SharedCache, on_shared_cache
from rma_portal.outbox import Handover
from rma_portal.tasks import queue_after_commit

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


def login_code_request(
    *, email: str, client: ClientInfo, language: str = "", replacing: PendingLogin | None = None
) -> SendResult:
    """
    Ask for a sign-in code for ``email``: start its cooldown and queue the work.

    The request does the same for every address, and writes one row: the request for the
    code, in the outbox (no code in it). Whether the address is a customer's, and the code
    itself, are settled by ``issue_login_code`` in the worker, which emails the code or, to
    an address that is not a customer's, a short notice; a request refused by the cooldown
    is audited by ``record_send_cooldown``, in the worker too. Nothing in the answer or its
    timing tells the two apart. The email is written in ``language``, the language of the
    page where "Send Code" was pressed. ``replacing`` is the browser's pending sign-in, if
    any: a code it was sent for the same address is voided by the new one and recognised as
    replaced rather than wrong; a code another browser asked for keeps working there.
    """
    email = email.strip()
    wait = _cooldown_wait(email)
    if wait:
        queue_after_commit(
            "accounts.tasks.record_send_cooldown",
            email=email,
            ip_address=client.ip_address,
            user_agent=client.user_agent,
        )
        return SendResult(sent=False, retry_after=wait)
    pending = _new_pending(email=email, replacing=replacing)
    # The request is written to the outbox (no code in it: the worker makes the code) and
    # handed to the broker: a broker restarted empty or a worker that died loses nothing.
    handover = queue_after_commit(
        "accounts.tasks.issue_login_code",
        email=email,
        binding=pending.binding,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        requested_at=timezone.now().isoformat(),
        valid_until=datetime.fromtimestamp(pending.expires_at, UTC).isoformat(),
        language=language,
        earlier_bindings=list(pending.earlier_bindings),
    )
    # Once the transaction commits, a broker that is away delays the code (the outbox keeps
    # it), and the customer is told it may take a minute.
    return SendResult(sent=True, pending=pending, handover=handover)


def customer_exists(*, email: str) -> bool:
    """Whether an active customer signs in with ``email`` (for the worker only: never an answer);
    an address still waiting for its first sign-in has no account yet."""
    return User.objects.with_email(email).filter(is_active=True, is_staff=False).exists()


def send_cooldown_record(*, email: str, client: ClientInfo) -> SignInEvent:
    """Audit a "Send Code" refused by the address's cooldown (from the worker)."""
    return sign_in_event_create(
        kind=SignInEvent.Kind.SEND_COOLDOWN, client=client, user=_customer_for_email(email), email=email
    )


class IssueOutcome(Enum):
    ISSUED = "issued"
    NOT_A_CUSTOMER = "not_a_customer"  # the notice goes out instead of a code
    WAIT = "wait"  # another request's cooldown runs until ``retry_after``
    SUPERSEDED = "superseded"  # a newer request was issued a code: this one sends nothing


@dataclass(frozen=True)
class CodeIssue:
    """What ``login_code_issue`` did; ``code`` is the clear code, for the email only."""

    outcome: IssueOutcome
    device: LoginCodeDevice | None = None
    code: str = field(default="", repr=False)
    retry_after: float = 0.0
    # The same request had a code before (a retry, or a copy delivered again): it is void now.
    replaces_own: bool = False


@sensitive_variables("code", "binding", "earlier_bindings")
def login_code_issue(
    *,
    email: str,
    binding: str,
    client: ClientInfo,
    earlier_bindings: tuple[str, ...] = (),
    requested_at: datetime | None = None,
) -> CodeIssue:
    """
    Issue the code a browser asked for at ``requested_at`` (in the worker), for the caller
    to email; for an address that is not a customer's, audit it and say so.

    The new code voids the codes this browser was sent before (``earlier_bindings``, and an
    earlier code of this very request when it is asked again); a live code of another
    browser is kept usable there (``_record_issued_code``), so asking for codes for someone
    else's address never voids theirs. django-otp's cooldown on the device, under its row
    lock, is the last word, measured between request times (``LoginCodeDevice.cooldown_wait``):
    a request that got past the cache's cooldown (a cache emptied meanwhile) waits for it.
    """
    # An address with no account yet is sent a code like any customer: the account is made
    # when the code is verified. Staff and closed accounts get the notice instead.
    user = _customer_for_email(email) or _first_sign_in_holder(email)
    if user is None:
        sign_in_event_create(kind=SignInEvent.Kind.UNKNOWN_ADDRESS, client=client, email=email)
        return CodeIssue(outcome=IssueOutcome.NOT_A_CUSTOMER)

    requested_at = requested_at or timezone.now()
    with transaction.atomic():
        # Serialises concurrent requests for one address, the first one included.
        User.objects.select_for_update().filter(pk=user.pk).first()
        device = LoginCodeDevice.objects.filter(user=user).select_for_update().first()
        if device is None:
            # No address of its own: the code goes to the user's current address.
            device = LoginCodeDevice.objects.create(user=user, name=LOGIN_CODE_DEVICE_NAME, confirmed=False)
        wait = device.cooldown_wait(requested_at=requested_at)
        own_code_used = (
            device.last_generated_timestamp == requested_at
            and device.token is None
            and device.last_used_at is not None
            and device.last_used_at >= requested_at
        )
        if wait is None or own_code_used:
            # A newer request's code is the one to use; or this request's code was used already.
            return CodeIssue(outcome=IssueOutcome.SUPERSEDED, device=device)
        if wait > 0:
            return CodeIssue(outcome=IssueOutcome.WAIT, device=device, retry_after=wait)
        replaces_own = device.last_generated_timestamp == requested_at and device.token is not None
        displaced = device.token if device.has_live_code() else None
        code = device.issue_code(binding=binding, requested_at=requested_at)
        issued = {
            "digest": device.token,
            "binding": binding,
            "valid_until": device.valid_until.timestamp(),
            # A code this request had before is void too, not kept for its browser.
            "earlier_bindings": (binding, *earlier_bindings) if replaces_own else tuple(earlier_bindings),
            "displaced": displaced,
        }
        transaction.on_commit(lambda: _record_issued_code(**issued))
        sign_in_event_create(kind=SignInEvent.Kind.CODE_SENT, client=client, user=user, email=email)
    return CodeIssue(outcome=IssueOutcome.ISSUED, device=device, code=code, replaces_own=replaces_own)


class VerifyOutcome(Enum):
    SIGNED_IN = "signed_in"
    WRONG = "wrong"  # checked and did not match
    REPLACED = "replaced"  # a code this session was sent earlier, voided by the newer one
    EXPIRED = "expired"  # a code this session was sent, past its validity: not a wrong try
    LOCKED = "locked"  # too many wrong tries in this pending sign-in: its code is void
    THROTTLED = "throttled"  # a wait after failures: not checked
    BLOCKED = "blocked"  # the address reached its daily cap of wrong codes: not checked
    NOT_VALID = "not_valid"  # the pending sign-in has expired


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    pending: PendingLogin
    user: User | None = None
    retry_after: int = 0


GATE_OUTCOMES = {
    GuessRefusal.LOCKED: VerifyOutcome.LOCKED,
    GuessRefusal.BLOCKED: VerifyOutcome.BLOCKED,
    GuessRefusal.THROTTLED: VerifyOutcome.THROTTLED,
}


@sensitive_variables("code", "digest")
def login_code_verify(*, pending: PendingLogin, code: str, client: ClientInfo) -> VerifyResult:
    """
    Check a code typed into the session that holds ``pending``. The caller signs the
    returned user in.

    Known and unknown addresses take the same steps: the limits of ``accounts.guesses``
    (which never look at the account), one look-up of the address's device, one keyed hash,
    one conditional UPDATE that uses the code up if it matches (none can, for an unknown
    address), one look-up of the code kept for this browser, one look-up of the codes this
    session was sent, and one audit row. An earlier code counts as a wrong try, but is named
    as replaced by the newer one; an expired code is named so and costs no try.
    """
    now = time.time()
    if now >= pending.expires_at:
        sign_in_event_create(kind=SignInEvent.Kind.CODE_EXPIRED, client=client, email=pending.email)
        return VerifyResult(outcome=VerifyOutcome.NOT_VALID, pending=pending)
    gate = guess_begin(email=pending.email, binding=pending.binding, ip_address=client.ip_address, now=now)
    pending = replace(pending, failures=max(pending.failures, gate.failures))
    if gate.refusal is not None:
        sign_in_event_create(kind=SignInEvent.Kind.CODE_REFUSED, client=client, email=pending.email)
        return VerifyResult(
            outcome=GATE_OUTCOMES[gate.refusal], pending=pending, retry_after=gate.retry_after
        )

    try:
        device = LoginCodeDevice.objects.for_customer_address(pending.email)
        device_id = device.pk if device is not None else 0
        digest = login_code_digest(device_id=device_id, binding=pending.binding, code=code)
        matched = LoginCodeDevice.objects.use_code(device_id=device_id, digest=digest)
        matched = _use_kept_code(binding=pending.binding, digest=digest) or matched
        earlier = None if matched else _earlier_code(device_id=device_id, pending=pending, code=code)
    except BaseException:
        # The next try of this sign-in must not wait for the lock to expire.
        guess_abandon(email=pending.email, binding=pending.binding)
        raise
    user = device.user if device is not None else None
    if earlier is EarlierCode.EXPIRED:
        guess_abandon(email=pending.email, binding=pending.binding)
        sign_in_event_create(
            kind=SignInEvent.Kind.CODE_EXPIRED, client=client, user=user, email=pending.email
        )
        return VerifyResult(outcome=VerifyOutcome.EXPIRED, pending=pending)
    count = guess_done(
        email=pending.email,
        binding=pending.binding,
        ip_address=client.ip_address,
        now=now,
        gate=gate,
        matched=matched,
    )
    if matched:
        if user.awaiting_first_sign_in:
            _first_sign_in_complete(user=user, client=client)
        sign_in_event_create(kind=SignInEvent.Kind.SIGNED_IN, client=client, user=user)
        return VerifyResult(outcome=VerifyOutcome.SIGNED_IN, pending=pending, user=user)

    pending = replace(pending, failures=count.failures, last_failure_at=now)
    sign_in_event_create(kind=SignInEvent.Kind.CODE_FAILED, client=client, user=user, email=pending.email)
    outcome = VerifyOutcome.REPLACED if earlier is EarlierCode.REPLACED else VerifyOutcome.WRONG
    if count.failures >= settings.LOGIN_CODE_MAX_FAILURES:
        outcome = VerifyOutcome.LOCKED
        sign_in_event_create(kind=SignInEvent.Kind.CODE_LOCKED, client=client, user=user, email=pending.email)
    if count.blocked_now:
        outcome = VerifyOutcome.BLOCKED
        sign_in_event_create(
            kind=SignInEvent.Kind.ADDRESS_BLOCKED, client=client, user=user, email=pending.email
        )
        # The worker tells the owner, if the address has one; the answer here is the same.
        queue_after_commit("accounts.tasks.send_sign_in_blocked_notice", email=pending.email)
    return VerifyResult(outcome=outcome, pending=pending, retry_after=count.retry_after)


def _first_sign_in_complete(*, user: User, client: ClientInfo) -> None:
    """The code of an address with no account was right: the account is the customer's now."""
    User.objects.filter(pk=user.pk, awaiting_first_sign_in=True).update(
        is_active=True, awaiting_first_sign_in=False, date_joined=timezone.now()
    )
    user.is_active, user.awaiting_first_sign_in = True, False
    sign_in_event_create(kind=SignInEvent.Kind.ACCOUNT_CREATED, client=client, user=user)


def sign_out_record(*, user: User, client: ClientInfo) -> SignInEvent:
    """Write the audit row of a sign-out (the view then ends the session)."""
    return sign_in_event_create(kind=SignInEvent.Kind.SIGNED_OUT, client=client, user=user)


def login_codes_void_expired() -> int:
    """Void every sign-in code past its validity; returns how many were voided."""
    now = timezone.now()
    voided = LoginCodeDevice.objects.filter(token__isnull=False, valid_until__lte=now).update(
        token=None, valid_until=now
    )
    # An address that asked for a code and never used it keeps no row: no account was made.
    User.objects.filter(
        awaiting_first_sign_in=True,
        is_active=False,
        date_joined__lt=now - timedelta(seconds=settings.LOGIN_CODE_VALIDITY + EXPIRED_CODES_RECOGNISED_FOR),
    ).exclude(pk__in=LoginCodeDevice.objects.filter(token__isnull=False).values("user_id")).delete()
    return voided


@transaction.atomic
def staff_create(
    *, email: str, full_name: str, group_name: str, password: str, totp_key: str | None = None
) -> tuple[User, TOTPDevice]:
    """
    Create a member of the warranty team with a password and a confirmed TOTP device
    (with a new random key unless ``totp_key``, in hex, is given).

    Raises ``django.core.exceptions.ValidationError`` for a weak password or a taken address.
    """
    email = User.objects.normalize_email(email).strip()
    if User.objects.with_email(email).exists():
        raise ValidationError("A user with this email address already exists.")
    candidate = User(email=email, full_name=full_name, is_staff=True)
    validate_password(password, user=candidate)
    user = User.objects.create_user(email, password, full_name=full_name, is_staff=True)
    group, _created = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    key = {"key": totp_key} if totp_key else {}
    device = TOTPDevice.objects.create(user=user, name=STAFF_TOTP_DEVICE_NAME, confirmed=True, **key)
    return user, device
