"""
How a reply to the portal's email finds its case again, without anyone being able to forge or
guess it: a token made of the case's id and an HMAC of it under the site's secret key.

The token goes in two places of every email to the customer about a case: the Reply-To, as a
plus-address of the team's mailbox (``warranty+rma-<token>@example.com``), and the Message-ID
made per outbox row (``<rma-outbox-12-1.<token>@rma.example.com>``), so a reply whose client
dropped the Reply-To still names the case in its In-Reply-To or References. Nothing needs to be
stored to read it back: ``case_id_in_token`` checks the HMAC.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

SALT = "rma.cases.replies.reply-token"
# 80 bits of HMAC, in lowercase hex: mail servers may change the case of a local part.
MAC_LENGTH = 20
PLUS_PREFIX = "rma-"
TOKEN = re.compile(r"([0-9a-z]{1,13})-([0-9a-f]{" + str(MAC_LENGTH) + "})")


def _mac(case_code: str) -> str:
    return salted_hmac(SALT, case_code, algorithm="sha256").hexdigest()[:MAC_LENGTH]


def reply_token(case_id: int) -> str:
    """The token naming the case ``case_id``: its id in base 36 and an HMAC of it."""
    code = int_to_base36(case_id)
    return f"{code}-{_mac(code)}"


def case_id_in_token(token: str) -> int | None:
    """The case a token names, or ``None`` when its HMAC does not verify."""
    match = TOKEN.fullmatch((token or "").lower())
    if not match:
        return None
    code, mac = match.groups()
    if not constant_time_compare(mac, _mac(code)):
        return None
    try:
        return base36_to_int(code)
    except ValueError:
        return None


def reply_address(case_id: int) -> str:
    """The Reply-To of the customer's emails about the case: a plus-address of the team's mailbox."""
    local, _, domain = settings.INBOUND_REPLY_ADDRESS.rpartition("@")
    return f"{local}+{PLUS_PREFIX}{reply_token(case_id)}@{domain}"


def token_in_address(address: str) -> str | None:
    """The token of a plus-address of the team's mailbox, if ``address`` is one (valid or not)."""
    local, _, domain = (address or "").strip().lower().rpartition("@")
    mailbox_local, _, mailbox_domain = settings.INBOUND_REPLY_ADDRESS.lower().rpartition("@")
    base, plus, detail = local.partition("+")
    if not plus or base != mailbox_local or domain != mailbox_domain or not detail.startswith(PLUS_PREFIX):
        return None
    return detail[len(PLUS_PREFIX) :]


def token_in_message_id(message_id: str) -> str | None:
    """The token carried by one of our Message-IDs (``<rma-outbox-12-1.<token>@host>``), if any."""
    match = re.fullmatch(r"<?rma-outbox-\d+-\d+\.([^@>]+)@[^>]+>?", (message_id or "").strip())
    return match.group(1) if match else None


def reply_headers(case_id: int) -> dict[str, object]:
    """What ``rma_portal.emails.build_email`` needs to make an email about the case answerable."""
    return {"reply_to": [reply_address(case_id)], "message_id_tag": reply_token(case_id)}
