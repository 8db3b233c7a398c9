"""A PayPal-like REST server on loopback: OAuth token, Transaction Search, Invoicing v2,
Orders v2 (create, get, authorize) and Payments v2 authorizations (get, void, capture).

It answers with the shapes PayPal documents, checks what PayPal checks (Basic auth on the
token call, the bearer token, a start and end date at most 31 days apart, a unique
invoice number) and records every request for the tests to inspect. A test scripts the
answers PayPal documents for its failures: ``state.fail(method, path, status, issue)``,
``state.time_out(...)``, or PayPal's own 2xx answer altered (``state.alter(...)``).
"""

import base64
import copy
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-do-not-log"
TOKEN = "A21AAtesttokenvalue"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


@dataclass
class Scripted:
    """One answer the loopback PayPal gives instead of its own, for a method and path prefix."""

    method: str
    path: str
    status: int
    payload: dict | None
    times: int | None  # None: every matching request
    delay: float = 0.0  # seconds to wait before answering (past the client's timeout: a timeout)
    # A 2xx answer made from PayPal's own: these keys replaced, or a function of the answer.
    raw: dict | Callable | None = None


@dataclass
class PayPalState:
    transactions: dict = field(default_factory=dict)
    invoices: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    authorizations: dict = field(default_factory=dict)
    # PayPal-Request-Id -> the first answer: a repeated request gets it again, nothing is redone.
    answered: dict = field(default_factory=dict)
    # What the payer does on the approval page (``/checkoutnow``): approve, or cancel.
    payer_cancels: bool = False
    requests: list = field(default_factory=list)
    delay: float = 0.0
    fail_with: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    scripted: list = field(default_factory=list)

    def answer(self, method, path, status, payload=None, *, times=None, delay=0.0):
        """Answer ``method`` on paths starting with ``path`` with ``status`` and ``payload``
        (``times`` requests, or every one), as PayPal documents its error answers."""
        self.scripted.append(Scripted(method, path, status, payload, times, delay))

    def fail(self, method, path, status, issue="", *, name=None, times=None):
        """A documented error answer: ``name``, ``details[0].issue``, ``debug_id``."""
        payload = {
            "name": name or _ERROR_NAMES.get(status, "INTERNAL_SERVER_ERROR"),
            "message": "Scripted error answer.",
            "debug_id": "f00dbabe",
        }
        if issue:
            payload["details"] = [{"issue": issue, "description": f"{issue} (scripted)."}]
        self.answer(method, path, status, payload, times=times)

    def time_out(self, method, path, *, seconds=5.0, times=None):
        """Answer only after ``seconds`` (past the client's timeout)."""
        self.answer(method, path, 200, {}, times=times, delay=seconds)

    def alter(self, method, path, change=None, *, times=None, **replace):
        """Let PayPal answer as usual, then change its 2xx answer: replace top-level keys
        (``status="DENIED"``, ``amount={...}``, ``id="OTHER"``), or pass ``change``, a
        function that takes the answer and returns the one to send (for nested fields)."""
        self.scripted.append(Scripted(method, path, 0, None, times, 0.0, raw=change or replace))

    def _scripted_for(self, method, path):
        for rule in self.scripted:
            if rule.method == method and path.startswith(rule.path) and rule.times != 0:
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None

    def add_transaction(
        self, transaction_id, *, amount="25.00", currency="USD", status="S", payer="payer@example.com"
    ):
        self.transactions[transaction_id] = {
            "transaction_info": {
                "paypal_account_id": "PAYERACCOUNT1",
                "transaction_id": transaction_id,
                "transaction_event_code": "T0000",
                "transaction_initiation_date": "2026-11-20T10:00:00+0000",
                "transaction_updated_date": "2026-11-20T10:00:00+0000",
                "transaction_amount": {"currency_code": currency, "value": amount},
                "transaction_status": status,
            },
            "payer_info": {"account_id": "PAYERACCOUNT1", "email_address": payer},
        }

    def approve(self, order_id):
        """What the payer does on PayPal's approval page."""
        self.orders[order_id]["status"] = "APPROVED"

    def calls(self, path_prefix):
        return [request for request in self.requests if request.path.startswith(path_prefix)]


def _parse_time(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


_ERROR_NAMES = {
    400: "INVALID_REQUEST",
    401: "AUTHENTICATION_FAILURE",
    403: "NOT_AUTHORIZED",
    404: "RESOURCE_NOT_FOUND",
    409: "RESOURCE_CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMIT_REACHED",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class Handler(BaseHTTPRequestHandler):
    state: PayPalState

    def log_message(self, *args):  # keep test output clean
        pass

    _altering = None

    def _reply(self, status, payload=None):
        if self._altering and 200 <= status < 300 and isinstance(payload, dict):
            payload = copy.deepcopy(payload)
            payload = self._altering(payload) if callable(self._altering) else {**payload, **self._altering}
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status, name, message):
        self._reply(status, {"name": name, "message": message, "debug_id": "f00dbabe"})

    def _handle(self, method):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.state.requests.append(
            Recorded(method, parts.path, parse_qs(parts.query), dict(self.headers.items()), body)
        )
        if self.state.delay:
            self.state.release.wait(self.state.delay)
        if self.state.fail_with:
            return self._error(self.state.fail_with, "INTERNAL_SERVICE_ERROR", "Something went wrong.")
        rule = self.state._scripted_for(method, parts.path)
        if rule is not None and rule.raw is None:
            if rule.delay:
                self.state.release.wait(rule.delay)
            return self._reply(rule.status, rule.payload)
        if rule is not None:
            self._altering = rule.raw
        if parts.path == "/checkoutnow" and method == "GET":
            return self._payer_visit(parse_qs(parts.query).get("token", [""])[0])
        if parts.path == "/v1/oauth2/token" and method == "POST":
            return self._token(body)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "AUTHENTICATION_FAILURE", "Authentication failed.")
        if parts.path.startswith(("/v2/checkout/orders", "/v2/payments/authorizations/")):
            request_id = self.headers.get("PayPal-Request-Id")
            if method == "POST" and request_id and (parts.path, request_id) in self.state.answered:
                return self._reply(*self.state.answered[(parts.path, request_id)])
            status, payload = self._holds(method, parts.path, json.loads(body or b"{}"))
            if method == "POST" and request_id and status < 300:
                self.state.answered[(parts.path, request_id)] = (status, payload)
            return self._reply(status, payload)
        if parts.path == "/v1/reporting/transactions" and method == "GET":
            return self._search(parse_qs(parts.query))
        if parts.path == "/v2/invoicing/invoices" and method == "POST":
            return self._create_invoice(json.loads(body or b"{}"))
        if parts.path == "/v2/invoicing/search-invoices" and method == "POST":
            number = json.loads(body or b"{}").get("invoice_number")
            items = [i for i in self.state.invoices.values() if i["detail"].get("invoice_number") == number]
            return self._reply(200, {"items": items, "total_items": len(items), "total_pages": 1})
        if parts.path.startswith("/v2/invoicing/invoices/"):
            rest = parts.path.removeprefix("/v2/invoicing/invoices/").split("/")
            invoice = self.state.invoices.get(rest[0])
            if invoice is None:
                return self._error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.")
            if rest[1:] == ["send"] and method == "POST":
                invoice["status"] = "UNPAID"
                return self._reply(
                    200,
                    {
                        "href": invoice["detail"]["metadata"]["recipient_view_url"],
                        "rel": "payer-view",
                        "method": "GET",
                    },
                )
            if not rest[1:] and method == "GET":
                return self._reply(200, invoice)
        return self._error(404, "NOT_FOUND", "No such endpoint.")

    def _payer_visit(self, order_id):
        """PayPal's approval page: the payer approves (or cancels) and is sent back to the shop."""
        order = self.state.orders.get(order_id)
        if order is None:
            return self._error(404, "RESOURCE_NOT_FOUND", "No such order.")
        if self.state.payer_cancels:
            target = order["cancel_url"]
        else:
            self.state.approve(order_id)
            target = order["return_url"]
        self.send_response(302)
        self.send_header("Location", f"{target}?token={order_id}&PayerID=PAYER12345")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _issue(self, status, issue):
        return status, {"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": issue}], "debug_id": "f00dbabe"}

    def _holds(self, method, path, payload):
        """Orders v2 and the authorizations of Payments v2, as (status, payload)."""
        state = self.state
        if path == "/v2/checkout/orders" and method == "POST":
            if payload.get("intent") != "AUTHORIZE" or not payload.get("purchase_units"):
                return 400, {"name": "INVALID_REQUEST", "details": [{"issue": "MISSING_REQUIRED_PARAMETER"}]}
            order_id = uuid.uuid4().hex[:17].upper()
            context = payload["payment_source"]["paypal"]["experience_context"]
            state.orders[order_id] = {
                "id": order_id,
                "intent": "AUTHORIZE",
                "status": "PAYER_ACTION_REQUIRED",
                "purchase_units": payload["purchase_units"],
                "return_url": context["return_url"],
                "cancel_url": context["cancel_url"],
                "links": [
                    {
                        # The payer's approval page is served here too (``/checkoutnow``).
                        "href": f"http://{self.headers['Host']}/checkoutnow?token={order_id}",
                        "rel": "payer-action",
                    }
                ],
            }
            return 200, state.orders[order_id]
        if path.startswith("/v2/checkout/orders/"):
            order_id, _, action = path.removeprefix("/v2/checkout/orders/").partition("/")
            order = state.orders.get(order_id)
            if order is None:
                return 404, {"name": "RESOURCE_NOT_FOUND", "details": [{"issue": "INVALID_RESOURCE_ID"}]}
            if method == "GET" and not action:
                return 200, order
            if method == "POST" and action == "authorize":
                if order["status"] == "COMPLETED":
                    return self._issue(422, "ORDER_ALREADY_AUTHORIZED")
                if order["status"] != "APPROVED":
                    return self._issue(422, "ORDER_NOT_APPROVED")
                authorization_id = uuid.uuid4().hex[:17].upper()
                authorization = {
                    "id": authorization_id,
                    "status": "CREATED",
                    "amount": order["purchase_units"][0]["amount"],
                    "expiration_time": "2026-12-31T10:00:00Z",
                }
                state.authorizations[authorization_id] = authorization
                order["status"] = "COMPLETED"
                order["purchase_units"][0]["payments"] = {"authorizations": [authorization]}
                return 201, order
        if path.startswith("/v2/payments/authorizations/"):
            authorization_id, _, action = path.removeprefix("/v2/payments/authorizations/").partition("/")
            authorization = state.authorizations.get(authorization_id)
            if authorization is None:
                return 404, {"name": "RESOURCE_NOT_FOUND", "details": [{"issue": "INVALID_RESOURCE_ID"}]}
            if method == "GET" and not action:
                return 200, authorization
            if method == "POST" and action == "void":
                if authorization["status"] == "VOIDED":
                    return self._issue(422, "AUTHORIZATION_ALREADY_VOIDED")
                if authorization["status"] == "CAPTURED":
                    return self._issue(422, "AUTHORIZATION_ALREADY_CAPTURED")
                authorization["status"] = "VOIDED"
                return 204, None
            if method == "POST" and action == "capture":
                if authorization["status"] != "CREATED":
                    return self._issue(422, "AUTHORIZATION_ALREADY_CAPTURED")
                authorization["status"] = "CAPTURED"
                return 201, {
                    "id": uuid.uuid4().hex[:17].upper(),
                    "status": "COMPLETED",
                    "amount": authorization["amount"],
                }
        return 404, {"name": "NOT_FOUND", "message": "No such endpoint."}

    def _token(self, body):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}" or parse_qs(body.decode()).get(
            "grant_type"
        ) != ["client_credentials"]:
            return self._reply(
                401, {"error": "invalid_client", "error_description": "Client Authentication failed"}
            )
        return self._reply(
            200,
            {
                "scope": "https://uri.paypal.com/services/reporting/search/read https://uri.paypal.com/services/invoicing",
                "access_token": TOKEN,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": "2026-11-27T10:00:00Z",
            },
        )

    def _search(self, query):
        try:
            start = _parse_time(query["start_date"][0])
            end = _parse_time(query["end_date"][0])
        except (KeyError, ValueError):
            return self._error(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect.")
        if end < start or end - start > timedelta(days=31):
            return self._error(400, "INVALID_REQUEST", "Date range is greater than 31 days")
        wanted = query.get("transaction_id", [None])[0]
        details = [entry for tid, entry in self.state.transactions.items() if wanted in (None, tid)]
        return self._reply(
            200,
            {
                "transaction_details": details,
                "account_number": "RECEIVER123",
                "start_date": query["start_date"][0],
                "end_date": query["end_date"][0],
                "last_refreshed_datetime": "2026-11-27T09:59:59+0000",
                "page": 1,
                "total_items": len(details),
                "total_pages": 1,
                "links": [],
            },
        )

    def _create_invoice(self, payload):
        detail = payload.get("detail") or {}
        if not detail.get("currency_code") or not payload.get("items"):
            return self._error(400, "INVALID_REQUEST", "Request is not well-formed.")
        number = detail.get("invoice_number")
        if any(invoice["detail"].get("invoice_number") == number for invoice in self.state.invoices.values()):
            return self._error(422, "UNPROCESSABLE_ENTITY", "DUPLICATE_INVOICE_NUMBER")
        invoice_id = "INV2-" + "-".join(uuid.uuid4().hex[i : i + 4].upper() for i in range(0, 16, 4))
        invoice = {
            "id": invoice_id,
            "status": "DRAFT",
            "detail": {
                **detail,
                "metadata": {
                    "create_time": "2026-11-27T10:00:00Z",
                    "recipient_view_url": f"https://www.sandbox.paypal.com/invoice/p/#{invoice_id}",
                    "invoicer_view_url": f"https://www.sandbox.paypal.com/invoice/details/{invoice_id}",
                },
            },
            "invoicer": payload.get("invoicer"),
            "primary_recipients": payload.get("primary_recipients"),
            "items": payload["items"],
            "amount": {
                "currency_code": detail["currency_code"],
                "value": payload["items"][0]["unit_amount"]["value"],
            },
        }
        self.state.invoices[invoice_id] = invoice
        link = {
            "href": f"http://{self.headers['Host']}/v2/invoicing/invoices/{invoice_id}",
            "rel": "self",
            "method": "GET",
        }
        if self.headers.get("Prefer") == "return=representation":
            return self._reply(201, invoice)
        return self._reply(201, link)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class PayPalServer:
    """Runs the handler in a thread on 127.0.0.1 at a free port."""

    def __init__(self):
        self.state = PayPalState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
