"""The PayPal gateway against a PayPal-like server on loopback."""

import logging
import time
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import paypal
from tests.payments.paypal_server import CLIENT_SECRET, TOKEN


def test_a_matching_payment_is_found_completed_with_amount_currency_and_payer(paypal_server):
    paypal_server.state.add_transaction(
        "5TY05013RG002845M", amount="25.00", currency="USD", payer="ann@example.com"
    )

    lookup = paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert lookup == paypal.TransactionLookup(
        transaction_id="5TY05013RG002845M",
        found=True,
        status="completed",
        amount=Decimal("25.00"),
        currency="USD",
        payer_email="ann@example.com",
    )
    assert lookup.matches(amount=Decimal("25"), currency="usd")


def test_the_search_asks_for_one_id_within_a_31_day_window_with_a_bearer_token(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M")

    paypal.find_transaction(transaction_id="5ty05013rg002845m")

    [search] = paypal_server.state.calls("/v1/reporting/transactions")
    assert search.method == "GET"
    assert search.query["transaction_id"] == ["5TY05013RG002845M"]
    assert search.headers["Authorization"] == f"Bearer {TOKEN}"
    assert len(paypal_server.state.calls("/v1/oauth2/token")) == 1


def test_the_oauth_token_is_reused_between_calls(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M")

    paypal.find_transaction(transaction_id="5TY05013RG002845M")
    paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert len(paypal_server.state.calls("/v1/oauth2/token")) == 1
    assert len(paypal_server.state.calls("/v1/reporting/transactions")) == 2


def test_a_payment_of_the_wrong_amount_does_not_match(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M", amount="20.00", currency="USD")

    lookup = paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert lookup.found
    assert lookup.amount == Decimal("20.00")
    assert not lookup.matches(amount=Decimal("25.00"), currency="USD")


def test_a_payment_in_another_currency_does_not_match(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M", amount="25.00", currency="EUR")

    assert not paypal.find_transaction(transaction_id="5TY05013RG002845M").matches(
        amount=Decimal("25.00"), currency="USD"
    )


def test_a_pending_payment_is_reported_pending_and_does_not_match(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M", status="P")

    lookup = paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert lookup.status == paypal.TransactionStatus.PENDING
    assert not lookup.matches(amount=Decimal("25.00"), currency="USD")


def test_an_unknown_id_is_not_found(paypal_server):
    paypal_server.state.add_transaction("5TY05013RG002845M")

    lookup = paypal.find_transaction(transaction_id="0AB12345CD6789012")

    assert lookup.found is False
    assert lookup.status == paypal.TransactionStatus.NOT_FOUND
    assert not lookup.matches(amount=Decimal("25.00"), currency="USD")


def test_a_window_ending_in_the_past_is_honoured(paypal_server):
    paid_before = timezone.now() - timedelta(days=40)

    paypal.find_transaction(transaction_id="5TY05013RG002845M", paid_before=paid_before)

    [search] = paypal_server.state.calls("/v1/reporting/transactions")
    assert search.query["end_date"] == [paid_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")]


def test_a_slow_paypal_is_a_timeout_error_quickly(paypal_server, settings):
    settings.PAYPAL_TIMEOUT = 0.3
    paypal._client.cache_clear()
    paypal_server.state.delay = 5

    started = time.monotonic()
    with pytest.raises(paypal.PayPalTimeout):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert time.monotonic() - started < 1.5


def test_a_paypal_server_error_is_unavailable(paypal_server):
    paypal_server.state.fail_with = 503

    with pytest.raises(paypal.PayPalUnavailable):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")


def test_an_unreachable_paypal_is_unavailable(settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    settings.PAYPAL_API_BASE_URL = f"http://127.0.0.1:{free_port}"
    settings.PAYPAL_CLIENT_ID = "id"
    settings.PAYPAL_CLIENT_SECRET = "secret"
    paypal._client.cache_clear()

    with pytest.raises(paypal.PayPalUnavailable):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")


def test_wrong_credentials_are_refused_not_retried_forever(paypal_server, settings):
    settings.PAYPAL_CLIENT_SECRET = "wrong"

    with pytest.raises(paypal.PayPalRefused):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")


def test_a_revoked_token_is_renewed_once(paypal_server, monkeypatch):
    paypal_server.state.add_transaction("5TY05013RG002845M")
    paypal.find_transaction(transaction_id="5TY05013RG002845M")
    paypal.client().token_hash = {"access_token": "revoked", "token_type": "Bearer", "expires_in": 32400}

    lookup = paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert lookup.found
    assert len(paypal_server.state.calls("/v1/oauth2/token")) == 2


def test_credentials_never_reach_the_logs_even_at_debug_level(paypal_server, caplog):
    paypal_server.state.add_transaction("5TY05013RG002845M")

    with caplog.at_level(logging.DEBUG):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")

    assert CLIENT_SECRET not in caplog.text
    assert TOKEN not in caplog.text
    assert "Basic " not in caplog.text


def test_without_credentials_the_gateway_says_not_configured(paypal_off):
    assert paypal.is_configured() is False
    with pytest.raises(paypal.PayPalNotConfigured):
        paypal.find_transaction(transaction_id="5TY05013RG002845M")


@pytest.mark.parametrize(
    ("mode", "override", "expected"),
    [
        ("sandbox", "", "https://api-m.sandbox.paypal.com"),
        ("live", "", "https://api-m.paypal.com"),
        ("live", "http://127.0.0.1:9999/", "http://127.0.0.1:9999"),
    ],
)
def test_the_endpoint_follows_the_mode_unless_overridden(settings, mode, override, expected):
    settings.PAYPAL_MODE = mode
    settings.PAYPAL_API_BASE_URL = override
    settings.PAYPAL_CLIENT_ID = "id"
    settings.PAYPAL_CLIENT_SECRET = "secret"
    paypal._client.cache_clear()

    assert paypal.base_url() == expected
    assert paypal.client().endpoint == expected
    assert paypal.client().mode == ("live" if mode == "live" else "sandbox")


def test_an_invoice_is_created_sent_and_its_payer_link_returned(paypal_server):
    sent = paypal.send_invoice(
        invoice_number="RMA-2026-000123-1",
        recipient_email="ann@example.com",
        amount=Decimal("25"),
        currency="usd",
        item_name="Supplementary payment for RMA-2026-000123",
        note="Thank you.",
    )

    assert sent.invoice_id.startswith("INV2-")
    assert sent.payer_link == f"https://www.sandbox.paypal.com/invoice/p/#{sent.invoice_id}"
    assert sent.status == "UNPAID"
    invoice = paypal_server.state.invoices[sent.invoice_id]
    assert invoice["invoicer"] == {"email_address": "payments@example.com"}
    assert invoice["primary_recipients"] == [{"billing_info": {"email_address": "ann@example.com"}}]
    assert invoice["items"][0]["unit_amount"] == {"currency_code": "USD", "value": "25.00"}
    assert [(r.method, r.path) for r in paypal_server.state.requests if "invoic" in r.path] == [
        ("POST", "/v2/invoicing/invoices"),
        ("POST", f"/v2/invoicing/invoices/{sent.invoice_id}/send"),
        ("GET", f"/v2/invoicing/invoices/{sent.invoice_id}"),
    ]


def test_a_retry_after_a_lost_answer_carries_on_with_the_invoice_already_created(paypal_server):
    arguments = dict(
        invoice_number="RMA-2026-000123-1",
        recipient_email="ann@example.com",
        amount=Decimal("25"),
        currency="USD",
        item_name="Supplementary payment",
    )
    first = paypal.send_invoice(**arguments)
    paypal_server.state.requests.clear()

    again = paypal.send_invoice(**arguments)

    assert again.invoice_id == first.invoice_id and again.payer_link == first.payer_link
    assert len(paypal_server.state.invoices) == 1
    assert [(r.method, r.path) for r in paypal_server.state.requests if "invoic" in r.path] == [
        ("POST", "/v2/invoicing/invoices"),
        ("POST", "/v2/invoicing/search-invoices"),
        ("GET", f"/v2/invoicing/invoices/{first.invoice_id}"),
    ]


def test_a_draft_left_by_an_earlier_try_is_sent(paypal_server):
    arguments = dict(
        invoice_number="RMA-2026-000124-1",
        recipient_email="ann@example.com",
        amount=Decimal("25"),
        currency="USD",
        item_name="Supplementary payment",
    )
    paypal.send_invoice(**arguments)
    (invoice,) = paypal_server.state.invoices.values()
    invoice["status"] = "DRAFT"  # created, but the send never reached PayPal

    again = paypal.send_invoice(**arguments)

    assert again.status == "UNPAID"
    assert paypal_server.state.calls(f"/v2/invoicing/invoices/{invoice['id']}/send")


def test_a_slow_invoice_call_is_a_timeout(paypal_server, settings):
    settings.PAYPAL_TIMEOUT = 0.3
    paypal._client.cache_clear()
    paypal_server.state.delay = 5

    with pytest.raises(paypal.PayPalTimeout):
        paypal.send_invoice(
            invoice_number="RMA-1",
            recipient_email="ann@example.com",
            amount=Decimal("1"),
            currency="USD",
            item_name="x",
        )
