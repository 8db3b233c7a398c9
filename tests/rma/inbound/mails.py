"""Mails as customers' clients write them, for the tests of replies by email."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone
from PIL import Image

# What each language's usual client writes above the quoted history, and the quoted email.
QUOTED = "> Your RMA solution is ready: please review it.\n> Warranty Team\n"
INTRODUCTIONS = {
    "en": "On Mon, Dec 7, 2026 at 10:00 AM Warranty Team <warranty@example.com> wrote:",
    "de": "Am Mo., 7. Dez. 2026 um 10:00 Uhr schrieb Warranty Team <warranty@example.com>:",
    "fr": "Le lun. 7 déc. 2026 à 10:00, Warranty Team <warranty@example.com> a écrit :",
    "es": "El lun, 7 dic 2026 a las 10:00, Warranty Team (<warranty@example.com>) escribió:",
    "it": "Il giorno lun 7 dic 2026 alle ore 10:00 Warranty Team <warranty@example.com> ha scritto:",
    "ja": "2026年12月7日(月) 10:00 Warranty Team <warranty@example.com>:",
}
NEW_WORDS = {
    "en": "Thanks, the camera still reboots every night.\nI can send a video if it helps.",
    "de": "Danke, die Kamera startet jede Nacht neu.\nIch kann gern ein Video schicken.",
    "fr": "Merci, la caméra redémarre toujours chaque nuit.\nJe peux envoyer une vidéo si besoin.",
    "es": "Gracias, la cámara se sigue reiniciando cada noche.\nPuedo mandar un vídeo si ayuda.",
    "it": "Grazie, la telecamera si riavvia ancora ogni notte.\nPosso mandare un video se serve.",
    "ja": "ありがとうございます。カメラは今も毎晩再起動します。\n必要なら動画を送ります。",
}
SIGNATURES = {"en": "-- \nJohn Smith\nSent from my phone", "de": "Mit freundlichen Grüßen\nHans Müller"}


def reply(
    *,
    sender: str,
    to: str,
    body: str,
    subject: str = "Re: your RMA solution",
    in_reply_to: str = "",
    html: str = "",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    headers: dict[str, str] | None = None,
    message_id: str = "",
) -> bytes:
    """A reply as a mail client sends it, as bytes."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if body:
        message.set_content(body)
    if html:
        if body:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    for name, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def screenshot(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


def bounce(*, to: str, original_message_id: str) -> bytes:
    """A delivery report (RFC 3464), as a mail server sends it back."""
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.customer.example')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Your message could not be delivered to gone@customer.example.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        "Final-Recipient: rfc822; gone@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "--b1--\r\n"
    ).encode()
