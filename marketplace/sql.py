"""Set-based writes the ORM does not offer: ``INSERT INTO … SELECT``.

``bulk_create`` builds one Python object per row; copying rows that a query already
describes (a history row per listing moved, one line per product recalled) is one
statement instead, whatever the number of rows, on both back ends.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import connection
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.expressions import RawSQL


def _field(model: type[Model], name: str) -> Field:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a concrete column of the model, by name or attname
    return field


def insert_select(
    model: type[Model],
    *,
    source: QuerySet,
    columns: dict[str, str],
    constants: dict[str, Any] | None = None,
) -> int:
    """Insert one ``model`` row per row of ``source``: ``columns`` maps each of the
    model's fields to a field of ``source`` to copy, ``constants`` gives the same value
    to every row; the model's defaults are not applied, so every column the table
    requires must be in one or the other. Returns how many rows were inserted."""
    constants = constants or {}
    aliases = {f"insert_{n}": source_field for n, source_field in enumerate(columns.values())}
    inner = source.order_by().annotate(**{a: F(f) for a, f in aliases.items()}).values(*aliases)
    select_sql, select_params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    targets = [_field(model, name).column for name in [*columns, *constants]]
    values = [
        _field(model, name).get_db_prep_save(value, connection) for name, value in constants.items()
    ]
    selected = [f"source.{quote(alias)}" for alias in aliases] + ["%s"] * len(values)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, targets))}) "  # noqa: S608 (names from the model)
        f"SELECT {', '.join(selected)} FROM ({select_sql}) AS source"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *select_params])  # the constants come first
        return cursor.rowcount


# From this many rows a PostgreSQL insert goes through COPY.
COPY_FROM = 200


def rows_insert(model: type[Model], rows: list) -> list:
    """Insert unsaved ``rows`` of ``model``: ``bulk_create``, or on PostgreSQL, from
    ``COPY_FROM`` rows, one ``COPY … FROM STDIN`` (no SQL text per row to build and
    quote; the rows then come back without their primary keys)."""
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        return model._default_manager.bulk_create(rows)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        # Logged like any statement when queries are (tests count them, DEBUG shows them).
        debug_sql = getattr(cursor, "debug_sql", None)
        logged = debug_sql(statement) if debug_sql else contextlib.nullcontext()
        with logged, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                )
    return rows


def in_list(field: str, values: list, *, db_type: str = "bigint") -> Q:
    """``filter(field__in=values)``, with the values sent as one array parameter on
    PostgreSQL: thousands of ids or addresses make one placeholder, not thousands for
    the driver to parse and quote."""
    if connection.vendor == "postgresql" and len(values) > 100:
        unnest = RawSQL(f"SELECT unnest(%s::{db_type}[])", [list(values)])  # noqa: S611 (constant SQL, one bound parameter)
        return Q(**{f"{field}__in": unnest})
    return Q(**{f"{field}__in": values})
