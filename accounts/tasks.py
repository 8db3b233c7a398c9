"""Background work of the sign-in flow: issuing codes, their emails and the sweep of expired codes."""

import logging
import math
from datetime import UTC, datetime

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.views.decorators.debug import sensitive_variables

from accounts import emails
from accounts.limits import ClientInfo
from accounts.models import LoginCodeDevice, User
from accounts.services import (
    IssueOutcome,
    customer_exists,
    login_code_is_live,
    login_code_issue,
    login_codes_void_expired,
    send_cooldown_record,
)
from rma_portal.outbox import OutboxTask
from rma_portal.tasks import EMAIL_RETRY, email_retry_policy

logger = logging.getLogger(__name__)

REDACTED = "<redacted>"


class SecretArgumentsTask(OutboxTask):
    """
    A task whose message carries something secret or personal (a sign-in code, a browser's
    binding, an address). It goes to the broker without being written to the outbox first;
    only when the broker refuses it is it recorded, and its arguments are cleared once it
    has run.

    Celery writes ``argsrepr``/``kwargsrepr`` into logs, events and monitoring tools; here
    they name the arguments without their values, on the first send and on every retry (a
    retry goes through ``apply_async`` again). A ``valid_until`` keyword becomes the
    message's ``expires``, so a code that is no longer valid is never delivered.
    """

    # The address is not secret, but it is personal data that logs do not need; nor is the
    # client's IP address.
    secret_kwargs: frozenset[str] = frozenset(
        {"code", "code_digest", "binding", "earlier_bindings", "email", "ip_address"}
    )
    recorded_before_commit = False
    clear_arguments_when_done = True

    def expires_at(self, kwargs: dict) -> datetime | None:
        return datetime.fromisoformat(kwargs["valid_until"]) if kwargs.get("valid_until") else None

    def apply_async(self, args=None, kwargs=None, **options):
        kwargs = kwargs or {}
        options["argsrepr"] = repr(tuple(REDACTED for _ in args or ()))
        options["kwargsrepr"] = repr(
            {name: REDACTED if name in self.secret_kwargs else value for name, value in kwargs.items()}
        )
        if kwargs.get("valid_until") and not options.get("expires"):
            options["expires"] = self.expires_at(kwargs)
        return super().apply_async(args, kwargs, **options)


class RedactSecretTaskArguments(logging.Filter):
    """
    Celery's task log lines carry the arguments in their context (shown by custom handlers
    and error trackers). A task run eagerly, in-process, has no ``argsrepr`` to fall back
    on, so the arguments of secret-carrying tasks are blanked here. Installed on
    ``celery.app.trace`` by ``AccountsConfig.ready``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = getattr(record, "data", None)
        if isinstance(context, dict) and context.get("name") in SECRET_TASK_NAMES:
            for key in ("args", "kwargs"):
                if key in context:
                    context[key] = REDACTED
        return True


class SignInCodeWaiting(Exception):
    """A request for a code waits for the cooldown of an earlier one (its retries are spent)."""


class LoginCodeRequestTask(SecretArgumentsTask):
    """
    A browser's request for a sign-in code. It carries no code, so it is written to the
    outbox in the request, and a broker restarted empty or a worker that died loses
    nothing: the relay hands it over again after ``LOGIN_CODE_RELAY_AFTER`` seconds, and
    until its pending sign-in expires. Its arguments (the browser's binding) are cleared
    once it is done.
    """

    recorded_before_commit = True
    commit_without_waiting_for_disk = True
    relay_after_setting = "LOGIN_CODE_RELAY_AFTER"


# The sign-in email has retry settings of its own: its code is valid for minutes, not hours.
EMAIL_RETRY_POLICY = email_retry_policy(
    backoff=settings.LOGIN_EMAIL_RETRY_BACKOFF,
    backoff_max=settings.LOGIN_EMAIL_RETRY_BACKOFF_MAX,
    max_retries=settings.LOGIN_EMAIL_MAX_RETRIES,
)
# Issuing a code also retries a database that dropped its connection, with the same delays.
LOGIN_CODE_RETRY_POLICY = {
    **EMAIL_RETRY_POLICY,
    "autoretry_for": (*EMAIL_RETRY_POLICY["autoretry_for"], DatabaseOperationalError, DatabaseInterfaceError),
}


@shared_task(base=LoginCodeRequestTask, bind=True, **LOGIN_CODE_RETRY_POLICY)
@sensitive_variables("binding", "earlier_bindings", "issue")
def issue_login_code(
    self,
    *,
    email: str,
    binding: str,
    ip_address: str | None,
    user_agent: str,
    valid_until: str,
    language: str = "",
    earlier_bindings: list[str] | None = None,
    requested_at: str | None = None,
) -> bool:
    """
    Issue the code a browser asked for on the sign-in page and email it, in one task, so
    that the code never travels through the broker (or, for an address that is not a
    customer's, email the notice). Returns whether a code was sent.

    The request only started the address's cooldown and wrote this task to the outbox.
    A database or mail server that fails is retried; a retry, or a copy delivered again
    after a worker died, issues a fresh code for the same browser, voiding the one it may
    have issued before, and its email says so. A request that meets another request's
    cooldown (the cache's was lost) waits for it; one overtaken by a newer request sends
    nothing. The message expires with the pending sign-in (``valid_until``).
    ``earlier_bindings`` name the codes the same browser was sent before, which the new one
    voids; ``requested_at`` is when "Send Code" was pressed (messages from before it existed
    carry none).
    """
    if datetime.fromisoformat(valid_until) <= datetime.now(UTC):
        logger.info("Sign-in code not issued: the browser's pending sign-in has expired.")
        return False
    client = ClientInfo(ip_address=ip_address, user_agent=user_agent)
    issue = login_code_issue(
        email=email,
        binding=binding,
        client=client,
        earlier_bindings=tuple(earlier_bindings or ()),
        requested_at=datetime.fromisoformat(requested_at) if requested_at else None,
    )
    if issue.outcome is IssueOutcome.NOT_A_CUSTOMER:
        emails.send_unknown_address_notice(email=email, language=language)
        return False
    if issue.outcome is IssueOutcome.WAIT:
        if self.request.is_eager:  # run inside the request: nothing to wait in
            send_cooldown_record(email=email, client=client)
            return False
        # The exception names no argument: Celery's own, once the retries are spent, would
        # write the browser's binding into the log.
        raise self.retry(
            countdown=math.ceil(issue.retry_after),
            exc=SignInCodeWaiting("another request's cooldown for this address has not ended"),
        )
    if issue.outcome is IssueOutcome.SUPERSEDED:
        logger.info("Sign-in code for device %s not issued: a newer request has one.", issue.device.pk)
        return False
    device = issue.device
    if not login_code_is_live(device=device, digest=device.token):
        # A newer request of the same browser replaced it between the commit and now.
        logger.info("Sign-in code email for device %s not sent: the code is no longer valid.", device.pk)
        return False
    emails.send_login_code(
        device=device, code=issue.code, language=language, replaces_earlier=issue.replaces_own
    )
    logger.info("Sign-in code email for device %s sent.", device.pk)
    return True


@shared_task(base=SecretArgumentsTask, **EMAIL_RETRY_POLICY)
@sensitive_variables("code", "code_digest")
def send_login_code_email(
    *, device_id: int, code: str, code_digest: str, valid_until: str, language: str = ""
) -> bool:
    """
    Kept for messages queued before ``issue_login_code`` sent its own email.

    Email a sign-in code, if it can still be used: the device's current, valid code, or
    one kept for its browser after another browser was sent a newer one.

    ``code_digest`` identifies the code that was issued: a code replaced in its own
    browser, a used one or a voided one is no longer live, and is then not sent.
    """
    device = LoginCodeDevice.objects.select_related("user").filter(pk=device_id).first()
    if device is None or not login_code_is_live(device=device, digest=code_digest):
        logger.info("Sign-in code email for device %s not sent: the code is no longer valid.", device_id)
        return False
    emails.send_login_code(device=device, code=code, language=language)
    logger.info("Sign-in code email for device %s sent.", device_id)
    return True


@shared_task(base=SecretArgumentsTask, **EMAIL_RETRY_POLICY)
def send_unknown_address_notice(*, email: str, language: str = "") -> None:
    """Tell an address that no RMA case is linked to it, and how to reach the team."""
    emails.send_unknown_address_notice(email=email, language=language)


@shared_task(base=SecretArgumentsTask, **EMAIL_RETRY_POLICY)
def send_sign_in_blocked_notice(*, email: str) -> bool:
    """Tell the owner of ``email`` that wrong codes paused its sign-in; nobody, if no customer has it."""
    if not customer_exists(email=email):
        return False
    language = User.objects.with_email(email).values_list("language", flat=True).first() or ""
    emails.send_sign_in_blocked_notice(email=email, blocked_hours=24, language=language)
    return True


@shared_task(**EMAIL_RETRY)
def send_staff_sign_in_failures_notice(*, user_id: int) -> bool:
    """Tell a member of staff that their admin account just saw a burst of failed sign-ins."""
    user = User.objects.filter(pk=user_id, is_staff=True, is_active=True).first()
    if user is None:
        return False
    emails.send_staff_sign_in_failures_notice(user=user)
    return True


@shared_task(base=SecretArgumentsTask)
def record_send_cooldown(*, email: str, ip_address: str | None, user_agent: str) -> None:
    """Audit a "Send Code" the address's cooldown refused, out of the request."""
    send_cooldown_record(email=email, client=ClientInfo(ip_address=ip_address, user_agent=user_agent))


SECRET_TASK_NAMES = frozenset(
    {
        issue_login_code.name,
        send_login_code_email.name,
        send_unknown_address_notice.name,
        send_sign_in_blocked_notice.name,
        record_send_cooldown.name,
    }
)


@shared_task
def void_expired_login_codes() -> int:
    """Every minute (Celery beat): void sign-in codes past their validity."""
    voided = login_codes_void_expired()
    if voided:
        logger.info("Voided %s expired sign-in code(s).", voided)
    return voided
