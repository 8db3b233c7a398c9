"""The sign-in flow: asking for a code, issuing it, checking it, signing out, voiding expired codes."""

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import Enum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.guesses import GuessRefusal, guess_abandon, guess_begin, guess_done
from accounts.limits import ClientInfo
from accounts.models import LOGIN_CODE_DEVICE_NAME, LoginCodeDevice, SignInEvent, User, login_code_digest
from accounts.services.codes import (
    EXPIRED_CODES_RECOGNISED_FOR,
    EarlierCode,
    PendingLogin,
    SendResult,
    _cooldown_wait,
    _customer_for_email,
    _earlier_code,
    _first_sign_in_holder,
    _new_pending,
    _record_issued_code,
    _use_kept_code,
    sign_in_event_create,
)
from rma_portal.tasks import queue_after_commit


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
