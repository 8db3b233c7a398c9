"""The CSV export written by PostgreSQL (``COPY``) is, byte for byte, what the Python writer
of the embedded database writes for the same cases, and the export view streams it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from rma.backoffice import export, export_sql
from rma.backoffice.export import written_rows
from rma.backoffice.export_columns import header_line
from rma.backoffice.export_sql import copied_rows
from rma.cases.models import Case
from rma.claims.models import Claim
from tests.factories import AgentFactory, CaseFactory, CaseItemFactory, CustomerFactory, WarehouseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EXPORT = "/admin/rma/case/export.csv"
ADMIN_ORDER = ("-created_at", "-id")
UTC = datetime.UTC


def _claim(case: Case, reason: str) -> None:
    Claim.objects.create(
        case=case,
        reason=reason,
        problem="It stopped.",
        purchase_channel=Claim.PurchaseChannel.OFFICIAL_STORE,
        in_warranty=True,
        warranty_ends=datetime.date(2027, 1, 1),
        refund_possible=False,
    )


@pytest.fixture
def varied_cases(db):
    """Cases whose cells exercise every rule of the writer: labels, formulas, quotes and line
    breaks, no items or several, amounts, claims, and times on both sides of a clock change."""
    formula = CaseFactory(
        item=None,
        status=Case.Status.AWAITING_INFO,
        customer=CustomerFactory(email="+cmd@example.com"),
        warehouse=WarehouseFactory(name='@Depot "North", Reno'),
        assigned_agent=AgentFactory(email="-agent@example.com"),
        payment_amount=Decimal("-5.00"),
        payment_currency="EUR",
    )
    CaseItemFactory(case=formula, product_model='=HYPERLINK("http://evil")', serial_number="S1")
    CaseItemFactory(case=formula, product_model="Cam\nPro, 2", serial_number="", uid="UID-7", quantity=3)
    CaseItemFactory(case=formula, product_model="\tTabbed", serial_number="S2")
    CaseFactory(
        item=None, status=Case.Status.DRAFT, solution_type=Case.SolutionType.RESEND, return_required=False
    )
    refund = CaseFactory(
        status=Case.Status.COMPLETED,
        solution_type=Case.SolutionType.REFUND,
        return_required=False,
        warehouse=None,
        refund_amount=Decimal("129.90"),
        refund_currency="USD",
    )
    _claim(refund, Claim.Reason.NO_VIDEO)
    claimed = CaseFactory(status=Case.Status.REQUESTED)
    _claim(claimed, Claim.Reason.DAMAGED_ON_ARRIVAL)
    moment = datetime.datetime
    times = {
        # In summer, just before a second ends (written to the second, not rounded up).
        refund.pk: (moment(2026, 7, 1, 12, 30, 59, 999999, tzinfo=UTC), moment(2026, 12, 1, tzinfo=UTC)),
        formula.pk: (moment(2026, 1, 15, 23, 59, 1, tzinfo=UTC), None),
        # Before time zones: Berlin's local mean time was 53 minutes 28 seconds ahead.
        claimed.pk: (moment(1890, 6, 1, 12, 0, tzinfo=UTC), None),
    }
    for pk, (created_at, completed_at) in times.items():
        Case.objects.filter(pk=pk).update(
            created_at=created_at, status_changed_at=created_at, completed_at=completed_at
        )
    return Case.objects.order_by(*ADMIN_ORDER)


def both(cases) -> tuple[bytes, bytes]:
    copied = copied_rows(cases)
    assert copied is not None, "PostgreSQL should write this export"
    return b"".join(copied), "".join(written_rows(cases)).encode()


@pytest.mark.parametrize(
    ("zone", "language"),
    [("UTC", "en"), ("Europe/Berlin", "de"), ("America/St_Johns", "fr"), ("Asia/Kathmandu", "ja")],
)
def test_postgresql_writes_the_very_bytes_python_writes(varied_cases, zone, language):
    with timezone.override(zone), translation.override(language):
        copied, written = both(varied_cases)
    assert copied == written
    assert copied.count(b"\r\n") >= 5  # the header and four lines, one of them with a line break in a cell


def test_the_cells_are_the_ones_a_spreadsheet_should_show(varied_cases):
    with timezone.override("Europe/Berlin"), translation.override("de"):
        copied, _written = both(varied_cases)
        german = [str(Case.Status.AWAITING_INFO.label), str(Claim.Reason.NO_VIDEO.label), header_line()]
    assert german[0] != "Awaiting information" and german[1] != "No video"
    header, *lines = list(csv.reader(io.StringIO(copied.decode(), newline="")))
    assert copied.decode().startswith(german[2]) and header[0] != "RMA number"
    rows = {line[1]: line for line in lines}
    formula = rows["'+cmd@example.com"]
    assert formula[2] == german[0]
    assert formula[5] == '\'@Depot "North", Reno'
    assert (formula[6], formula[8]) == ("'-5.00 EUR", "'-agent@example.com")
    assert formula[9] == '\'=HYPERLINK("http://evil") S1 x1; Cam\nPro, 2 UID-7 x3; \tTabbed S2 x1'
    assert formula[10] == "2026-01-16T00:59:01+01:00"
    [refund] = [line for line in lines if line[7] == "129.90 USD"]
    assert refund[10] == "2026-07-01T14:30:59+02:00"
    assert (refund[12], refund[13]) == ("2026-12-01T01:00:00+01:00", german[1])
    [old] = [line for line in lines if line[10].startswith("1890")]
    assert old[10] == "1890-06-01T12:53:28+00:53:28"  # local mean time, to the second
    [draft] = [line for line in lines if line[9] == ""]  # the one case without an item
    assert draft[6:10] == ["", "", "", ""] and draft[13] == ""


def test_a_time_zone_with_no_name_is_written_by_python(varied_cases):
    with timezone.override(datetime.timezone(datetime.timedelta(hours=2))):
        assert copied_rows(varied_cases) is None
        lines = "".join(export.export_rows(varied_cases))
    assert "2026-07-01T14:30:59+02:00" in lines


def test_a_filter_that_matches_nothing_gives_the_header_alone(db):
    copied = b"".join(copied_rows(Case.objects.filter(pk__in=[])))
    assert copied == "".join(written_rows(Case.objects.none())).encode() == header_line().encode()


def test_the_export_view_streams_what_postgresql_writes(supervisor_client, monkeypatch):
    CaseFactory.create_batch(5)
    expected = "".join(written_rows(Case.objects.order_by(*ADMIN_ORDER))).encode()

    def refuse(cases):
        raise AssertionError("the view wrote the lines in Python")

    monkeypatch.setattr(export, "written_rows", refuse)
    monkeypatch.setattr(export_sql, "EXPORT_CHUNK", 2)
    response = supervisor_client.get(EXPORT)
    assert response.status_code == 200
    assert response.streaming
    chunks = list(response.streaming_content)
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 2, 2, 1]  # the header, then 2 lines at a time
    assert b"".join(chunks) == expected
