"""A status declared outside the core's table: the case waits for the team, on hold."""

from rma.cases.models import Party, Stage, StatusFacts

ON_HOLD = StatusFacts(
    "on_hold",
    "On hold",
    waits_on=Party.TEAM,
    deadline="5d",
    customer_group="in_progress",
    stage=Stage.REVIEW,
    customer_email="info_received",
    customer_next="Our move: the case is on hold.",
    team_next="The team takes the case off hold.",
    meaning="The case waits for the team.",
)
