"""The test app's own email: the team hears that a proof of purchase came in, a step event
that no table of the core sends an email for."""

from rma.cases.event_emails import TEAM, EmailTable, EventEmail
from tests.extra_part.models import ProofOfPurchase


def choose(event):
    sent = event.action == ProofOfPurchase.submit_action and "invoice_number" in event.data
    return ("team_proof_received",) if sent else ()


TABLE = EmailTable(
    app="extra_part",
    emails={
        "team_proof_received": EventEmail(
            "%(number)s: the proof of purchase came in",
            to=TEAM,
            context=lambda event: {"invoice_number": event.data["invoice_number"]},
        )
    },
    choose=choose,
)
