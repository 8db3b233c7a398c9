"""
The IMAP fetcher: replies taken from the team's mailbox over TLS (IMAPClient), each handed to
``rma.inbound.services.inbound_receive`` and then moved out of the inbox, to the folder of
what was taken in (``INBOUND_IMAP_TAKEN_FOLDER``) or of what was not (``..._NOT_TAKEN_FOLDER``).

A mail is recorded before it is moved, and recorded once per Message-ID. So a connection that
drops anywhere in between loses nothing (the mail is still in the inbox, fetched again next
time) and duplicates nothing (the second reading finds its row and only moves it).
A mail over ``INBOUND_MAX_BYTES`` is never downloaded: its headers are enough to refuse it.
"""

from __future__ import annotations

import dataclasses
import logging
import ssl
from collections import Counter

from django.conf import settings
from imapclient import IMAPClient

from rma.inbound.models import InboundMail
from rma.inbound.reading import from_raw
from rma.inbound.services import inbound_receive

logger = logging.getLogger(__name__)

TAKEN_OUTCOMES = {InboundMail.Outcome.TAKEN}


def fetching_configured() -> bool:
    """Whether a mailbox is set up (``INBOUND_IMAP_HOST``); without one nothing is fetched."""
    return bool(settings.INBOUND_IMAP_HOST)


def _connect() -> IMAPClient:
    context = ssl.create_default_context(cafile=settings.INBOUND_IMAP_CA_FILE or None)
    client = IMAPClient(
        settings.INBOUND_IMAP_HOST,
        port=settings.INBOUND_IMAP_PORT,
        ssl=True,
        ssl_context=context,
        timeout=settings.INBOUND_IMAP_TIMEOUT,
    )
    client.login(settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD)
    return client


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
    else:
        client.copy([uid], folder)
        client.delete_messages([uid])
        client.expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()


def _read(client: IMAPClient, uid: int, size: int):
    if size > settings.INBOUND_MAX_BYTES:
        header = client.fetch([uid], ["BODY.PEEK[HEADER]"])[uid][b"BODY[HEADER]"]
        return dataclasses.replace(from_raw(header), size=size, raw=b"")
    return from_raw(client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"])


def fetch_replies() -> Counter:
    """Take every mail waiting in the inbox in; how many went to each outcome."""
    outcomes: Counter = Counter()
    if not fetching_configured():
        return outcomes
    client = _connect()
    try:
        for folder in (settings.INBOUND_IMAP_TAKEN_FOLDER, settings.INBOUND_IMAP_NOT_TAKEN_FOLDER):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(settings.INBOUND_IMAP_FOLDER)
        uids = client.search(["NOT", "DELETED"])
        sizes = client.fetch(uids, ["RFC822.SIZE"]) if uids else {}
        for uid in uids:
            if uid not in sizes:
                continue  # gone meanwhile (another fetcher moved it)
            mail = inbound_receive(_read(client, uid, sizes[uid][b"RFC822.SIZE"]))
            taken = mail.outcome in TAKEN_OUTCOMES
            _move(
                client,
                uid,
                settings.INBOUND_IMAP_TAKEN_FOLDER if taken else settings.INBOUND_IMAP_NOT_TAKEN_FOLDER,
            )
            outcomes[mail.outcome] += 1
    finally:
        try:
            client.logout()
        except Exception:  # the connection may be the thing that failed
            logger.debug("IMAP logout failed", exc_info=True)
    return outcomes
