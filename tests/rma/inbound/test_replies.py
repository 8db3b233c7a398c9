"""
Replies by email, against a real IMAP server on loopback (Dovecot, ``tests/dovecot.py``):
a customer's reply to the portal's email lands on their case as new words only; the rest
ends in the team's mail to check, or is recorded and left alone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.utils import timezone

from rma.backoffice.queues import queue_cases
from rma.cases.models import Case, CaseMessage
from rma.cases.replies import case_id_in_token, reply_address, reply_token, token_in_message_id
from rma.cases.services import case_message_post
from rma.inbound.imap import fetch_replies
from rma.inbound.models import InboundMail
from rma.inbound.services import inbound_purge_originals
from rma.inbound.tasks import fetch_email_replies
from tests import dovecot
from tests.factories import AgentFactory, CaseFactory, CustomerFactory
from tests.rma.inbound import mails

pytestmark = pytest.mark.django_db

TAKEN = "RMA taken"
NOT_TAKEN = "RMA not taken"
Outcome = InboundMail.Outcome
Reason = InboundMail.Reason


@pytest.fixture
def case(db):
    return CaseFactory(customer=CustomerFactory(email="ana@customer.example"), assigned_agent=AgentFactory())


def team_email_to(case: Case, django_capture_on_commit_callbacks):
    """The team writes on the case; the customer's copy of the email, as sent."""
    agent = case.assigned_agent
    with django_capture_on_commit_callbacks(execute=True):
        case_message_post(case=case, author=agent, body="Does the camera still reboot?")
    (sent,) = [email for email in django_mail.outbox if email.to == [case.customer.email]]
    django_mail.outbox.clear()
    return sent


def fetch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return fetch_replies()


def test_every_email_to_the_customer_about_a_case_answers_to_a_signed_address_of_the_case(
    mailbox, case, django_capture_on_commit_callbacks
):
    sent = team_email_to(case, django_capture_on_commit_callbacks)

    assert sent.reply_to == [reply_address(case.pk)]
    assert sent.reply_to[0].startswith("warranty+rma-") and sent.reply_to[0].endswith("@example.com")
    assert case_id_in_token(token_in_message_id(sent.extra_headers["Message-ID"])) == case.pk


def test_a_token_names_only_its_own_case_and_cannot_be_altered():
    token = reply_token(41)
    assert case_id_in_token(token) == 41
    assert case_id_in_token(token.upper()) == 41  # a server that changes the case of a local part
    code, mac = token.split("-")
    assert case_id_in_token(f"{code}-{'0' * len(mac)}") is None
    assert case_id_in_token(f"16-{mac}") is None  # another case (42) with the HMAC of 41


@pytest.mark.parametrize("language", list(mails.INTRODUCTIONS))
def test_a_reply_with_quoted_history_lands_on_the_case_as_its_new_words_only(
    language, mailbox, case, django_capture_on_commit_callbacks
):
    sent = team_email_to(case, django_capture_on_commit_callbacks)
    signature = mails.SIGNATURES.get(language, "")
    body = f"{mails.NEW_WORDS[language]}\n\n{signature}\n\n{mails.INTRODUCTIONS[language]}\n{mails.QUOTED}"
    mailbox.deliver(
        mails.reply(
            sender=f"Ana <{case.customer.email}>",
            to=sent.reply_to[0],
            body=body,
            in_reply_to=sent.extra_headers["Message-ID"],
        )
    )

    assert fetch(django_capture_on_commit_callbacks) == {Outcome.TAKEN: 1}

    message = CaseMessage.objects.get(case=case, sender=CaseMessage.Sender.CUSTOMER)
    assert message.body == mails.NEW_WORDS[language]
    assert message.by_email and message.author == case.customer
    assert InboundMail.objects.get().case_message == message
    assert mailbox.message_ids("INBOX") == [] and len(mailbox.message_ids(TAKEN)) == 1
    # As if typed in the portal: the team's queue, and the assigned agent is told.
    assert queue_cases(Case.objects.all(), key="waiting_on_us", user=case.assigned_agent).get() == case
    (told,) = django_mail.outbox
    assert told.to == [case.assigned_agent.email] and mails.NEW_WORDS[language].splitlines()[0] in told.body


def test_a_reply_that_lost_the_reply_to_finds_its_case_by_in_reply_to(
    mailbox, case, django_capture_on_commit_callbacks
):
    sent = team_email_to(case, django_capture_on_commit_callbacks)
    mailbox.deliver(
        mails.reply(
            sender=case.customer.email,
            to=dovecot.USER,
            body="Yes, it still does.",
            in_reply_to=sent.extra_headers["Message-ID"],
        )
    )

    fetch(django_capture_on_commit_callbacks)

    assert case.messages.get(sender=CaseMessage.Sender.CUSTOMER).body == "Yes, it still does."


def test_an_html_only_reply_is_read_as_text_without_its_quoted_history(
    mailbox, case, django_capture_on_commit_callbacks
):
    html = (
        "<html><body><div dir='ltr'>Hello,<br>the <b>new</b> unit works.</div>"
        "<div class='gmail_quote'><div>On Mon wrote:</div>"
        "<blockquote>Your solution is ready</blockquote></div>"
        "</body></html>"
    )
    mailbox.deliver(mails.reply(sender=case.customer.email, to=reply_address(case.pk), body="", html=html))

    fetch(django_capture_on_commit_callbacks)

    assert case.messages.get().body == "Hello,\nthe new unit works."


def test_a_screenshot_in_a_reply_is_shown_with_the_message_and_other_files_to_the_team_only(
    mailbox, case, agent_client, django_capture_on_commit_callbacks
):
    mailbox.deliver(
        mails.reply(
            sender=case.customer.email,
            to=reply_address(case.pk),
            body="Here is the error on screen.",
            attachments=(
                ("error.png", "image/png", mails.screenshot()),
                ("invoice.pdf", "application/pdf", b"%PDF-1.4 not really"),
            ),
        )
    )
    fetch(django_capture_on_commit_callbacks)
    message = case.messages.get()
    picture, other = message.attachments
    assert picture["kind"] == "image" and picture["name"] == "error.png" and picture["width"] == 64
    assert other == {**other, "kind": "file", "name": "invoice.pdf"}

    customer = Client()
    customer.force_login(case.customer)
    page = customer.get(f"/rma/{case.number}/").content.decode()
    thumbnail = f"/rma/{case.number}/messages/{message.pk}/files/0/thumbnail/"
    assert thumbnail in page and "by email" in page and "invoice.pdf" not in page
    shown = customer.get(thumbnail)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert customer.get(f"/rma/{case.number}/messages/{message.pk}/files/1/file/").status_code == 404
    stranger = Client()
    stranger.force_login(CustomerFactory())
    assert stranger.get(thumbnail).status_code == 404

    team_page = agent_client.get(f"/admin/rma/case/{case.pk}/change/").content.decode()
    assert thumbnail in team_page and "invoice.pdf" in team_page
    download = agent_client.get(f"/rma/{case.number}/messages/{message.pk}/files/1/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 not really"
    assert "attachment" in download["Content-Disposition"]


def _to_check(mailbox, raw: bytes, django_capture_on_commit_callbacks) -> InboundMail:
    mailbox.deliver(raw)
    fetch(django_capture_on_commit_callbacks)
    received = InboundMail.objects.get()
    assert not CaseMessage.objects.exists()
    assert django_mail.outbox == []
    assert mailbox.message_ids("INBOX") == [] and len(mailbox.message_ids(NOT_TAKEN)) == 1
    assert received.original is not None
    return received


def test_a_reply_from_a_stranger_goes_to_the_mail_to_check(mailbox, case, django_capture_on_commit_callbacks):
    raw = mails.reply(sender="someone@elsewhere.example", to=reply_address(case.pk), body="Me too!")
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason, received.case) == (Outcome.TO_CHECK, Reason.OTHER_SENDER, case)
    assert received.body == "Me too!"


def test_a_reply_with_a_forged_token_goes_to_the_mail_to_check(
    mailbox, case, django_capture_on_commit_callbacks
):
    other = CaseFactory()
    code = reply_token(other.pk).split("-")[0]
    forged = f"warranty+rma-{code}-{'a' * 20}@example.com"
    raw = mails.reply(sender=other.customer.email, to=forged, body="Let me in")
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason, received.case) == (Outcome.TO_CHECK, Reason.BAD_TOKEN, None)


def test_a_reply_to_a_closed_case_goes_to_the_mail_to_check(
    mailbox, case, django_capture_on_commit_callbacks
):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.COMPLETED)
    raw = mails.reply(sender=case.customer.email, to=reply_address(case.pk), body="One more thing")
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason) == (Outcome.TO_CHECK, Reason.CASE_CLOSED)


def test_an_auto_reply_is_recorded_and_becomes_nothing(mailbox, case, django_capture_on_commit_callbacks):
    raw = mails.reply(
        sender=case.customer.email,
        to=reply_address(case.pk),
        subject="Out of office",
        body="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason) == (Outcome.IGNORED, Reason.AUTO_REPLY)


def test_a_bounce_is_recorded_and_becomes_nothing(mailbox, case, django_capture_on_commit_callbacks):
    raw = mails.bounce(to=reply_address(case.pk), original_message_id="<rma-outbox-1-1@example.com>")
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason) == (Outcome.IGNORED, Reason.BOUNCE)


def test_one_of_our_own_emails_coming_back_is_a_loop_and_becomes_nothing(
    mailbox, case, settings, django_capture_on_commit_callbacks
):
    raw = mails.reply(
        sender=case.customer.email,
        to=reply_address(case.pk),
        body="Your RMA solution is ready",
        message_id=f"<rma-outbox-7-1.{reply_token(case.pk)}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>",
    )
    received = _to_check(mailbox, raw, django_capture_on_commit_callbacks)
    assert (received.outcome, received.reason) == (Outcome.IGNORED, Reason.LOOP)


def test_mail_over_the_limits_is_refused_with_its_reason(
    mailbox, case, settings, django_capture_on_commit_callbacks
):
    settings.INBOUND_MAX_ATTACHMENTS = 1
    settings.INBOUND_PER_SENDER_PER_HOUR = 2
    to = reply_address(case.pk)
    picture = ("a.png", "image/png", mails.screenshot())
    mailbox.deliver(
        mails.reply(sender=case.customer.email, to=to, body="two files", attachments=(picture, picture))
    )
    fetch(django_capture_on_commit_callbacks)
    for body in ("first", "second", "third"):
        mailbox.deliver(mails.reply(sender="flood@elsewhere.example", to=to, body=body))
    fetch(django_capture_on_commit_callbacks)
    settings.INBOUND_MAX_BYTES = 200
    mailbox.deliver(mails.reply(sender=case.customer.email, to=to, body="long " * 100))
    fetch(django_capture_on_commit_callbacks)

    refused = {
        (mail.sender, mail.body, mail.reason) for mail in InboundMail.objects.filter(outcome=Outcome.REFUSED)
    }
    assert refused == {
        (case.customer.email, "", Reason.TOO_MANY_ATTACHMENTS),
        ("flood@elsewhere.example", "", Reason.FLOOD),
        (case.customer.email, "", Reason.TOO_LARGE),
    }
    assert not case.messages.exists()
    assert len(mailbox.message_ids(NOT_TAKEN)) == 5


def test_originals_are_kept_thirty_days(mailbox, case, django_capture_on_commit_callbacks):
    mailbox.deliver(mails.reply(sender="someone@elsewhere.example", to=reply_address(case.pk), body="hi"))
    fetch(django_capture_on_commit_callbacks)
    received = InboundMail.objects.get()

    assert inbound_purge_originals(now=timezone.now() + timedelta(days=29)) == 0
    assert inbound_purge_originals(now=timezone.now() + timedelta(days=31)) == 1
    received.refresh_from_db()
    assert received.original is None and received.reason == Reason.OTHER_SENDER


@pytest.mark.parametrize(
    ("from_client", "step"),
    [(False, 300), (True, 60)],
    ids=["answer-cut-short", "command-never-arrives"],
)
def test_a_connection_dropped_mid_fetch_loses_and_duplicates_nothing(
    from_client, step, mailbox, case, settings, django_capture_on_commit_callbacks
):
    """The connection drops after a few bytes more each time, so at every step of the fetch in
    turn (an answer of the server cut short, or a command of ours that never arrives, such as
    the move after a mail was taken): whatever was taken stays taken once and the next fetch
    goes on; in the end each mail is taken exactly once, by its Message-ID."""
    to = reply_address(case.pk)
    for n in range(3):
        mailbox.deliver(
            mails.reply(
                sender=case.customer.email,
                to=to,
                body=f"Reply number {n}",
                message_id=f"<reply-{n}@customer.example>",
            )
        )
    cuts, limit = 0, step
    while True:
        cutter = dovecot.TcpCutter(mailbox.port, limit, from_client=from_client)
        settings.INBOUND_IMAP_PORT = cutter.listen_port
        try:
            fetch(django_capture_on_commit_callbacks)
        except Exception:  # whatever the dropped connection raised on the way
            assert cutter.cut
            cuts += 1
        else:
            break
        finally:
            cutter.close()
        bodies = list(case.messages.values_list("body", flat=True))
        assert len(bodies) == len(set(bodies))
        assert len(bodies) == InboundMail.objects.count()
        limit += step

    assert cuts >= 10
    assert sorted(case.messages.values_list("body", flat=True)) == [f"Reply number {n}" for n in range(3)]
    assert InboundMail.objects.filter(outcome=Outcome.TAKEN).count() == 3
    assert mailbox.message_ids("INBOX") == []
    assert mailbox.message_ids(TAKEN) == [f"<reply-{n}@customer.example>" for n in range(3)]


def test_without_a_mailbox_nothing_is_fetched(mailbox, case, settings):
    mailbox.deliver(mails.reply(sender=case.customer.email, to=reply_address(case.pk), body="hello"))
    settings.INBOUND_IMAP_HOST = ""

    assert fetch_email_replies.apply().get() == {}
    assert mailbox.message_ids("INBOX") != [] and not InboundMail.objects.exists()


def test_an_agent_attaches_a_mail_to_check_to_a_case_or_discards_it(
    mailbox, case, agent_client, django_capture_on_commit_callbacks
):
    mailbox.deliver(
        mails.reply(
            sender="ana.at.work@office.example", to=reply_address(case.pk), body="From my work address"
        )
    )
    mailbox.deliver(mails.reply(sender="spam@elsewhere.example", to=dovecot.USER, body="Buy now"))
    fetch(django_capture_on_commit_callbacks)
    from_work = InboundMail.objects.get(sender="ana.at.work@office.example")
    spam = InboundMail.objects.get(sender="spam@elsewhere.example")

    listing = agent_client.get("/admin/rma/inboundmail/").content.decode()
    assert "ana.at.work@office.example" in listing and "spam@elsewhere.example" in listing
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/admin/rma/inboundmail/{from_work.pk}/attach/", {"case_number": case.number})
    agent_client.post(f"/admin/rma/inboundmail/{spam.pk}/discard/")

    message = case.messages.get()
    assert (message.body, message.by_email, message.sender) == ("From my work address", True, "customer")
    from_work.refresh_from_db()
    spam.refresh_from_db()
    assert (from_work.outcome, from_work.case_message) == (Outcome.ATTACHED, message)
    assert spam.outcome == Outcome.DISCARDED and spam.handled_by is not None
    assert "ana.at.work" not in agent_client.get("/admin/rma/inboundmail/").content.decode()
