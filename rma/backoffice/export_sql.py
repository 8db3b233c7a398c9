"""
The CSV export written by PostgreSQL: ``COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`` over
the cases the admin filtered, each cell computed in the query the way ``export`` writes it
in Python, so that both give the same bytes:

- the labels of the status, the solution and the claim's reason in the current language,
  passed as parameters of a ``CASE`` over the choices, and "yes" or "no";
- "amount currency";
- the times in the current time zone, to the second, with their UTC offset
  (``datetime.isoformat(timespec="seconds")``);
- an apostrophe before a cell that starts like a formula (``csv_cell``);
- an empty cell as NULL, which COPY writes as nothing (it writes an empty text as ``""``).

COPY ends a line with LF where Python's ``csv`` ends it with CRLF: psycopg hands over each
row on its own, so its LF is replaced (a line break inside a quoted cell is left as it is).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from rma.backoffice.export_columns import (
    EXPORT_CHUNK,
    FORMULA_STARTS,
    Labels,
    csv_cell,
    header_line,
    items_cell,
    joined_rows,
)
from rma.cases.models import Case

_PART = re.compile(r"\{(\w+)\}")


def _compose(template: str, **parts: tuple[str, Sequence]) -> tuple[str, list]:
    """``template`` with each ``{name}`` replaced by the SQL of ``parts[name]``, and the
    parameters in the order the SQL names them (a part may be named more than once)."""
    sql, params = [], []
    for index, piece in enumerate(_PART.split(template)):
        if index % 2:
            sql.append(parts[piece][0])
            params.extend(parts[piece][1])
        else:
            sql.append(piece)
    return "".join(sql), params


class FormulaSafe(Func):
    """``csv_cell`` in SQL: an apostrophe before a text that starts like a formula. The text
    is named three times, so it is a column, or an aggregate (which is computed once)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        return _compose(
            "CASE WHEN left({text}, 1) = ANY({starts}) THEN '''' || {text} ELSE {text} END",
            text=compiler.compile(self.source_expressions[0]),
            starts=("%s", [list(FORMULA_STARTS)]),
        )


class LocalTime(Func):
    """``_when`` in SQL: the moment in the time zone named ``zone`` to the second, with its
    offset from UTC ("+01:00"; with its seconds when it has some, as local mean times had)."""

    output_field = TextField()

    def __init__(self, expression, *, zone: str) -> None:
        super().__init__(expression)
        self.zone = zone

    def as_sql(self, compiler, connection, **extra):
        moment = compiler.compile(self.source_expressions[0])
        local = _compose("({moment} AT TIME ZONE {zone})", moment=moment, zone=("%s", [self.zone]))
        offset = _compose("({local} - ({moment} AT TIME ZONE 'UTC'))", local=local, moment=moment)
        return _compose(
            "to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN {offset} < interval '0'"
            " THEN '-' || to_char(-{offset}, {format}) ELSE '+' || to_char({offset}, {format}) END",
            local=local,
            offset=offset,
            format=_compose(
                "CASE WHEN date_part('second', {offset}) = 0 THEN 'HH24:MI' ELSE 'HH24:MI:SS' END",
                offset=offset,
            ),
        )


class EmptyAsNull(Func):
    """An empty cell as NULL, which COPY writes as nothing, as ``csv`` writes an empty text."""

    template = "NULLIF(%(expressions)s, '')"
    output_field = TextField()


def _text(name: str) -> FormulaSafe:
    return FormulaSafe(Cast(F(name), TextField()))


def _label(name: str, labels: dict[str, str]) -> models.Case:
    """The label of the stored value (a value without one as it is stored)."""
    whens = [models.When(**{name: value}, then=Value(csv_cell(label))) for value, label in labels.items()]
    return models.Case(*whens, default=_text(name), output_field=TextField())


def _amount(amount: str, currency: str) -> Func:
    """The amount and its currency ("12.50 EUR"), or nothing without an amount."""
    text = Func(Cast(F(amount), TextField()), F(currency), template="(%(expressions)s)", arg_joiner="||' '||")
    return FormulaSafe(text)


def _cells(labels: Labels, zone: str) -> dict[str, Func | models.Case]:
    yes, no = Value(csv_cell(labels.yes)), Value(csv_cell(labels.no))
    return {
        "number": _text("number"),
        "customer": _text("customer_email"),
        "status": _label("status", labels.statuses),
        "solution_type": _label("solution_type", labels.solutions),
        "return_required": models.Case(models.When(return_required=True, then=yes), default=no),
        "warehouse": _text("warehouse_name"),
        "payment": _amount("payment_amount", "payment_currency"),
        "refund": _amount("refund_amount", "refund_currency"),
        "assigned_agent": _text("agent_email"),
        "items": F("items_cell"),
        "created_at": LocalTime(F("created_at"), zone=zone),
        "status_changed_at": LocalTime(F("status_changed_at"), zone=zone),
        "completed_at": LocalTime(F("completed_at"), zone=zone),
        "claim_reason": _label("claim_reason", labels.reasons),
    }


def zone_name(tz: datetime.tzinfo) -> str | None:
    """The IANA name PostgreSQL knows ``tz`` by; ``None`` for a fixed offset, whose name
    (such as "UTC+01:00") PostgreSQL would read the POSIX way, with the sign reversed."""
    if tz is datetime.UTC:
        return "UTC"
    return getattr(tz, "key", None)


def export_select(cases: QuerySet[Case]) -> tuple[str, list] | None:
    """The SELECT of the export's cells for ``cases`` and its parameters; ``None`` when
    PostgreSQL cannot write them: another database, a time zone with no name, or a DISTINCT
    query (which would select the columns it orders by as well)."""
    zone = zone_name(timezone.get_current_timezone())
    if connections[cases.db].vendor != "postgresql" or zone is None or cases.query.distinct:
        return None
    cells = {f"export_{name}": EmptyAsNull(cell) for name, cell in _cells(Labels(), zone).items()}
    rows = joined_rows(cases, items=items_cell(finish=FormulaSafe)).annotate(**cells).values_list(*cells)
    sql, params = rows.query.get_compiler(using=cases.db).as_sql()
    return sql, list(params)


def copied_rows(cases: QuerySet[Case]) -> Iterator[bytes] | None:
    """The CSV lines of ``cases`` (the header first) as PostgreSQL writes them, in chunks of
    ``EXPORT_CHUNK`` lines; ``None`` when it cannot (see ``export_select``)."""
    header = header_line().encode()
    try:
        select = export_select(cases)
    except EmptyResultSet:  # a filter that matches nothing, such as an empty choice
        return iter([header])
    if select is None:
        return None
    return _copied(cases.db, header, f"COPY ({select[0]}) TO STDOUT WITH (FORMAT csv)", select[1])


def _copied(alias: str, header: bytes, statement: str, params: list) -> Iterator[bytes]:
    yield header
    connection = connections[alias]
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement, params) as copy,
    ):
        lines = []
        for row in copy:
            lines.append(bytes(row[:-1]))
            if len(lines) == EXPORT_CHUNK:
                yield b"\r\n".join(lines) + b"\r\n"
                lines = []
        if lines:
            yield b"\r\n".join(lines) + b"\r\n"
