"""The list's card cache forgets its cards when a file changes under the development server."""

import datetime
from pathlib import Path

from django.utils.autoreload import file_changed

from rma.templatetags.rma_cards import render_card


def test_an_edited_template_empties_the_card_cache(db):
    render_card(
        number="RMA-2026-000001",
        status="pending_confirm",
        solution_type="refund",
        products=("Cam 1",),
        opened=datetime.date(2026, 1, 5),
        group_key="pending_confirmation",
        language="en",
    )
    assert render_card.cache_info().currsize >= 1
    file_changed.send(sender=None, file_path=Path("templates/rma/_case_card.html"))
    assert render_card.cache_info().currsize == 0
