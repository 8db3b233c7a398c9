"""
Every email the portal sends, rendered for each case state in every language, read for the
glitches a reader notices: a doubled word ("RMA RMA-2026-…", "the the"), punctuation that
clashes ("a.m..", ".;", ",.", " ."), a placeholder left empty, a size of "0.0 MB".

The values typed by people (comments, carriers, references) end in a period on purpose, so
a template that puts its own punctuation after them is caught too.
"""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.emails import (
    send_login_code,
    send_sign_in_blocked_notice,
    send_staff_sign_in_failures_notice,
    send_unknown_address_notice,
)
from accounts.models import LOGIN_CODE_DEVICE_NAME, LoginCodeDevice
from rma.backoffice.models import CaseReminder
from rma.backoffice.reminders import build_reminder_email
from rma.cases.emails import build_case_event_email, build_case_message_email
from rma.cases.event_emails import build_event_email, event_emails
from rma.cases.models import TRANSITIONS, Action, Case, CaseEvent, CaseMessage, Role
from rma.cases.replies import reply_address
from rma.support.emails import build_support_acknowledgement_email, build_support_request_email
from rma.support.models import SupportRequest, SupportScreenshot
from tests.factories import AgentFactory, CaseFactory, CustomerFactory
from tests.output import output_folder

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
# Morning and evening: English writes these "9 a.m." and "9 p.m.".
DUE_TIMES = (
    datetime.datetime(2031, 3, 3, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2031, 3, 3, 21, 0, tzinfo=datetime.UTC),
)
COMMENT = "Please send a clearer photo of the label."

# Case matters: German writes "prüfen Sie sie" on purpose.
DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b")
# A space before ";" or ":" is French typography; before "." or "," it is a slip.
CLASHING_PUNCTUATION = re.compile(r"(?<!\.)\.\.(?!\.)|\.;|;\.|,\.|\.,|:\.|[ \t][.,]")
EMPTY_PLACEHOLDER = re.compile(r"\(\s*\)|“\s*”|„\s*“|«\s*»|「\s*」|%\(|%s\b|\{\{|\{%|\bNone\b")
ZERO_SIZE = re.compile(r"\b0[.,]0\s*[KM]B\b|\b0\s*MB\b")


def visible_text(markup: str) -> str:
    """What a reader sees of an HTML part: no head, no tags, entities resolved."""
    markup = re.sub(r"<(head|style)\b.*?</\1>", "", markup, flags=re.DOTALL | re.IGNORECASE)
    markup = re.sub(r"<br\s*/?>|</?(p|li|ul|tr|td|th|table|div|blockquote)\b[^>]*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def glitches(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        for kind, pattern in (
            ("doubled word", DOUBLED_WORD),
            ("clashing punctuation", CLASHING_PUNCTUATION),
            ("empty placeholder", EMPTY_PLACEHOLDER),
            ("zero size", ZERO_SIZE),
        ):
            for match in pattern.finditer(line):
                found.append(f"{kind} {match.group(0)!r} in: {line.strip()}")
    return found


class Outbox:
    """The emails built in one language, and the templates they were rendered from."""

    def __init__(self):
        self.messages = []
        self.templates = set()
        # The template of each message: the last text part rendered before it was added.
        self.kinds = {}
        self.rendering = []

    def rendered(self, name: str) -> None:
        self.templates.add(name)
        self.rendering.append(name)

    def add(self, message):
        if message is not None:
            self.messages.append(message)
            texts = [name for name in self.rendering if name.endswith(".txt")]
            self.kinds[id(message)] = texts[-1].removeprefix("emails/").removesuffix(".txt") if texts else "?"
        self.rendering = []

    def kind(self, message) -> str:
        return self.kinds[id(message)]


def case_in(status: str, *, customer, agent, **fields) -> Case:
    extra = {}
    if status in (Case.Status.COMPLETED, Case.Status.AWAITING_RETURN):
        extra = {"outbound_carrier": "Poste Italiane S.p.A.", "outbound_tracking_number": "RR123456785IT."}
    if status == Case.Status.AWAITING_RETURN:
        # A replacement shipped ahead of its return, against a PayPal hold.
        placed = timezone.now() - datetime.timedelta(days=2)
        extra |= {
            "advance_replacement": True,
            "hold_amount": Decimal("129.99"),
            "hold_currency": "EUR",
            "replacement_method": "advance",
            "hold_placed_at": placed,
            "return_due_at": placed + datetime.timedelta(days=25),
        }
    return CaseFactory(
        customer=customer, assigned_agent=agent, status=status, payment_due=True, **extra, **fields
    )


HOLD = {"authorization_id": "AUTH-1", "amount": "129.99", "currency": "EUR"}


def every_case_event(outbox: Outbox, *, customer, agent) -> None:
    """Each row of the lifecycle table, taken by each role that may take it (and for the customer)."""
    cases = {}
    for transition in TRANSITIONS:
        roles = set(transition.roles) | ({Role.AGENT} if transition.on_behalf else set())
        for target in transition.targets:
            for role in sorted(roles):
                for revision in (0, 1) if target == Case.Status.PENDING_CONFIRM else (0,):
                    key = (target, revision)
                    if key not in cases:
                        cases[key] = case_in(target, customer=customer, agent=agent, revision=revision)
                    event = CaseEvent(
                        case=cases[key],
                        action=transition.action,
                        from_status=transition.source,
                        to_status=target,
                        actor_role=role,
                        on_behalf=role != Role.CUSTOMER and Role.CUSTOMER in transition.roles,
                        comment=COMMENT,
                        data=HOLD,  # what a hold's settling writes on the step that closes the case
                    )
                    for email in event_emails(event):
                        outbox.add(build_event_email(event, email))
    claimed = case_in(Case.Status.REQUESTED, customer=customer, agent=agent)
    outbox.add(
        build_case_event_email(
            CaseEvent(
                case=claimed, action=Action.CLAIM_SEND, to_status=claimed.status, actor_role=Role.CUSTOMER
            )
        )
    )
    refunded = case_in(Case.Status.COMPLETED, customer=customer, agent=agent, refund=True)
    refunded.outbound_tracking_number = ""
    refunded.refund_reference = "PAYID-42."
    outbox.add(
        build_case_event_email(CaseEvent(case=refunded, action=Action.COMPLETE, actor_role=Role.AGENT))
    )
    waiting = case_in(Case.Status.AWAITING_INFO, customer=customer, agent=agent)
    for action, data in (
        (Action.INVOICE_SENT, {"link": "https://www.paypal.com/invoice/p/#INV2-TEST"}),
        (Action.INVOICE_REQUEST, {}),
    ):
        outbox.add(
            build_case_event_email(CaseEvent(case=waiting, action=action, actor_role=Role.AGENT, data=data))
        )
    holding = case_in(Case.Status.AWAITING_RETURN, customer=customer, agent=agent)
    for action in (Action.HOLD_PLACE, Action.HOLD_VOID, Action.HOLD_CAPTURED, Action.HOLD_ERROR):
        data = {"amount": "129.99", "currency": "EUR", "error": "AUTHORIZATION_EXPIRED."}
        outbox.add(
            build_case_event_email(CaseEvent(case=holding, action=action, actor_role=Role.SYSTEM, data=data))
        )
    for sender in CaseMessage.Sender.values:
        message = CaseMessage(case=waiting, sender=sender, body="Is there any news.", author=customer)
        outbox.add(build_case_message_email(message))


def every_reminder(outbox: Outbox, *, customer, agent) -> None:
    for status in Case.Status.values:
        if status in Case.FINAL_STATUSES:
            continue
        case = case_in(status, customer=customer, agent=agent)
        for due in DUE_TIMES:
            kinds = [CaseReminder.Kind.OVERDUE]
            if status in (Case.Status.PENDING_CONFIRM, Case.Status.AWAITING_INFO):
                kinds.append(CaseReminder.Kind.CUSTOMER)
            for kind in kinds:
                outbox.add(
                    build_reminder_email(CaseReminder(case=case, kind=kind, status=status, due_at=due))
                )


def every_support_email(outbox: Outbox, *, customer, agent, language: str) -> None:
    case = case_in(Case.Status.AWAITING_INFO, customer=customer, agent=agent)
    requests = [
        SupportRequest.objects.create(
            email="visitor@example.com", subject="Code never came.", message=COMMENT, language=language
        ),
        SupportRequest.objects.create(
            email=customer.email, customer=customer, case=case, subject="Upload fails.", message=COMMENT
        ),
    ]
    SupportScreenshot.objects.create(
        support_request=requests[1],
        position=1,
        image="support/2026/a.png",
        thumbnail="support/2026/a-thumb.png",
        original_name="error.png",
        content_type="image/png",
        width=800,
        height=600,
        size=2048,
    )
    for request in requests:
        outbox.add(build_support_request_email(request))
        outbox.add(build_support_acknowledgement_email(request))


def every_sign_in_email(outbox: Outbox, *, customer, language: str) -> None:
    device = LoginCodeDevice.objects.create(user=customer, name=LOGIN_CODE_DEVICE_NAME, confirmed=False)
    device.valid_until = DUE_TIMES[0]
    staff = AgentFactory(email=f"staff-{language}@example.com", language=language)
    for send in (
        lambda: send_login_code(device=device, code="123456", language=language),
        lambda: send_unknown_address_notice(email="stranger@example.com", language=language),
        lambda: send_sign_in_blocked_notice(email=customer.email, blocked_hours=24, language=language),
        lambda: send_staff_sign_in_failures_notice(user=staff),
    ):
        sent_before = len(mail.outbox)
        send()
        for message in mail.outbox[sent_before:]:
            outbox.add(message)


@pytest.fixture
def emails_in(settings):
    settings.SITE_URL = "https://rma.example.com"

    def build(language: str) -> Outbox:
        outbox = Outbox()
        customer = CustomerFactory(language=language, full_name="Alex Doe")
        agent = AgentFactory(language=language)

        def recording(name, context=None, *args, **kwargs):
            outbox.rendered(name)
            return render_to_string(name, context, *args, **kwargs)

        with mock.patch("rma_portal.emails.render_to_string", side_effect=recording):
            every_case_event(outbox, customer=customer, agent=agent)
            every_reminder(outbox, customer=customer, agent=agent)
            every_support_email(outbox, customer=customer, agent=agent, language=language)
            every_sign_in_email(outbox, customer=customer, language=language)
        return outbox

    return build


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_reads_without_doubled_words_or_clashing_punctuation(emails_in, language):
    outbox = emails_in(language)

    problems = []
    for message in outbox.messages:
        parts = {"subject": message.subject, "text": message.body}
        parts["html"] = visible_text(message.alternatives[0][0])
        for part, text in parts.items():
            problems += [f"{part}: {problem}" for problem in glitches(text)]
    # One line per glitch, whichever case or email it appeared in.
    unique = sorted({re.sub(r"RMA-\d{4}-\d{6}", "RMA-YYYY-NNNNNN", problem) for problem in problems})
    assert unique == [], "\n".join(unique)


def test_every_email_template_was_rendered(emails_in):
    outbox = emails_in("en")

    templates = {
        str(path.relative_to(EMAIL_TEMPLATES.parent))
        for path in EMAIL_TEMPLATES.glob("*/*.*")
        if path.stem != "base"
    }
    assert templates - outbox.templates == set()
    assert len(outbox.messages) > 40


def test_every_email_to_a_customer_about_a_case_answers_to_that_case_and_the_team_s_to_nobody(emails_in):
    outbox = emails_in("en")
    cases = dict(Case.objects.values_list("number", "pk"))

    about_a_case = 0
    for message in outbox.messages:
        number = re.search(r"RMA-\d{4}-\d{6}", message.subject)
        if number is None or message.to != [Case.objects.get(number=number.group(0)).customer.email]:
            assert not any("+rma-" in address for address in message.reply_to), message.subject
            continue
        about_a_case += 1
        assert message.reply_to == [reply_address(cases[number.group(0)])], message.subject
    assert about_a_case > 20


@pytest.mark.parametrize(
    "text",
    [
        "RMA RMA-2026-000123: we received your information",
        "Please do it by Dec. 2, 2026, 9 a.m..",
        "Nothing was changed.; RMA-2026-000001: also not.",
        "the the case",
        "Your reference: ()",
        "photo.png (0.0 MB)",
        "Sent with DHL .",
    ],
)
def test_the_checks_catch_each_kind_of_glitch(text):
    assert glitches(text)


def test_the_checks_let_ordinary_sentences_through():
    assert glitches("Reminder: RMA-2026-000123 is waiting for you. Deadline: Dec. 2, 2026, 9 a.m.") == []
    assert glitches("Loading… please wait...") == []


# Emails written to the team, which open with what happened instead of a greeting.
TEAM_EMAILS = {"rma/team_overdue", "support/team_request"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_email_of_each_kind_is_written_to_the_test_output_folder(emails_in, language):
    outbox = emails_in(language)
    folder = output_folder("emails", language)
    with translation.override(language):
        greeting = gettext("Hello,")

    written = {}
    for message in outbox.messages:
        kind = outbox.kind(message)
        if kind in written:
            continue
        written[kind] = message
        name = kind.replace("/", "-")
        (folder / f"{name}.txt").write_text(f"Subject: {message.subject}\n\n{message.body}", encoding="utf-8")
        (folder / f"{name}.html").write_text(message.alternatives[0][0], encoding="utf-8")

    assert "?" not in written
    assert set(written) >= {
        name.removeprefix("emails/").removesuffix(".txt")
        for name in outbox.templates
        if name.endswith(".txt")
    }
    # Every email to a customer opens with the one greeting of the language, its sentence ended.
    openings = {
        kind: message.body.splitlines()[0] for kind, message in written.items() if kind not in TEAM_EMAILS
    }
    assert {opening for opening in openings.values()} == {greeting}, openings
