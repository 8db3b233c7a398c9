"""
Reading a mail: the normalised message the service takes (``InboundMessage``, the same shape
whether it came over IMAP or, later, from a provider's inbound webhook), and its new words.

``from_raw`` reads an RFC 5322 message as received; a webhook would build ``InboundMessage``
from the provider's fields instead (django-anymail's ``AnymailInboundMessage`` holds the same).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

# The languages of the portal, whose mail clients' "On ... wrote:" lines are recognised.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "ja"]
# A line that introduces quoted history ("... wrote:", "... a écrit :"), followed by quoted lines.
QUOTE_INTRODUCTION = re.compile(r"^.*[:：]\s*$")


@dataclass(frozen=True)
class InboundAttachment:
    """A file that came with the mail: its name as sent, its type and its bytes."""

    name: str
    content_type: str
    content: bytes
    inline: bool = False


@dataclass(frozen=True)
class InboundMessage:
    """A received mail, normalised: the service's only input."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str
    in_reply_to: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[InboundAttachment, ...] = ()
    is_delivery_report: bool = False
    size: int = 0
    raw: bytes = b""


def _message_ids(value: str) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^<>\s]+>", value or ""))


def from_raw(raw: bytes) -> InboundMessage:
    """Read ``raw`` (a whole mail as received) into an ``InboundMessage``."""
    parsed: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = (_message_ids(str(parsed.get("Message-ID", ""))) or ("",))[0]
    if not message_id:
        # A mail without one is still taken once: named by its content.
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"
    recipients = tuple(
        address.lower()
        for _, address in getaddresses(
            [str(parsed.get(name, "")) for name in ("To", "Cc", "Delivered-To", "X-Original-To")]
        )
        if address
    )
    in_reply_to = _message_ids(str(parsed.get("In-Reply-To", ""))) + _message_ids(
        str(parsed.get("References", ""))
    )
    headers = {
        name.lower(): str(parsed.get(name, ""))
        for name in (
            "Auto-Submitted",
            "X-Autoreply",
            "X-Autorespond",
            "X-Auto-Response-Suppress",
            "Precedence",
            "Return-Path",
            "X-Failed-Recipients",
        )
        if parsed.get(name) is not None
    }
    text, html, attachments = "", "", []
    for part in parsed.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        name = part.get_filename() or ""
        if disposition is None and not name and content_type in ("text/plain", "text/html"):
            content = part.get_content()
            if content_type == "text/plain" and not text:
                text = content
            elif content_type == "text/html" and not html:
                html = content
            continue
        if content_type in ("message/delivery-status", "text/rfc822-headers"):
            continue
        payload = part.get_payload(decode=True) or b""
        attachments.append(
            InboundAttachment(
                name=name or f"attachment-{len(attachments) + 1}",
                content_type=content_type,
                content=payload,
                inline=disposition == "inline",
            )
        )
    return InboundMessage(
        message_id=message_id[:250],
        sender=parseaddr(str(parsed.get("From", "")))[1].lower(),
        recipients=recipients,
        subject=" ".join(str(parsed.get("Subject", "")).split())[:250],
        text=text,
        html=html,
        in_reply_to=in_reply_to,
        headers=headers,
        attachments=tuple(attachments),
        is_delivery_report=parsed.get_content_type() == "multipart/report",
        size=len(raw),
        raw=raw,
    )


class _HtmlText(HTMLParser):
    """The visible text of an HTML mail, quoted history (``blockquote``, Gmail's quote) left out."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
    HIDDEN = {"script", "style", "head", "title", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        hides = tag in self.HIDDEN or "gmail_quote" in classes or "moz-cite-prefix" in classes
        if tag not in ("br", "img", "hr", "meta", "link", "input"):
            self.stack.append(hides)
            self.hidden_depth += hides
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("br", "img", "hr", "meta", "link", "input"):
            return
        if self.stack:
            self.hidden_depth -= self.stack.pop()
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words an HTML mail shows, one paragraph per line, without its quoted history."""
    reader = _HtmlText()
    reader.feed(html)
    reader.close()
    text = "".join(reader.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _cut_trailing_quote(text: str) -> str:
    """Cut quoted history the parser did not recognise: an introduction ending in a colon
    followed only by ``>`` lines (a client's wording in no list), or those lines alone."""
    lines = text.rstrip().splitlines()
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end == len(lines):
        return text
    if end and QUOTE_INTRODUCTION.match(lines[end - 1]):
        end -= 1
    return "\n".join(lines[:end])


def new_words(message: InboundMessage) -> str:
    """Only what the sender wrote this time: the quoted history and signature cut."""
    text = message.text if message.text.strip() else html_to_text(message.html)
    text = text.replace("\r\n", "\n")
    replies = EmailReplyParser(languages=list(REPLY_LANGUAGES)).read(text).replies
    # The newest reply without its signature ("-- ", "Mit freundlichen Grüßen", ...).
    reply = replies[0].body if replies else text
    return _cut_trailing_quote(reply).strip()
