"""Bulk inserts of many rows in one go: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

An import stores thousands of conversations, results and hits a second. Through ``bulk_create`` on
PostgreSQL most of that time went into building and parsing one statement with tens of thousands of
placeholders; ``COPY ... FROM STDIN`` streams the rows instead (psycopg's C implementation). Rows are
prepared by each field exactly as Django would (``pre_save``, ``get_db_prep_save``), so defaults,
``auto_now_add`` and JSON encoding are the same. Primary keys are read back through a unique key of
the model, so callers get their objects with ``pk`` set as with ``bulk_create``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import Model, Q


def insert(model: type[Model], objs: Sequence[Model], *, key: tuple[str, ...], where: dict[str, Any] | None = None,
           need_pks: bool = True) -> None:
    """Insert ``objs``; afterwards each has its ``pk``. ``key`` names fields that tell the new rows
    apart (unique among the rows matching ``where``), used to read the primary keys back."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=500)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # the connection object itself, not django.db.connection's per-attribute proxy (a third of the time)
    real = connections[connection.alias]
    with real.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for obj in objs:
                write([f.get_db_prep_save(f.pre_save(obj, True), real) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    if not need_pks:
        return
    attnames = [model._meta.get_field(name).attname for name in key]
    wanted = {tuple(getattr(obj, a) for a in attnames): obj for obj in objs}
    condition = Q(pk__in=[])
    if len(attnames) == 1:
        condition = Q(**{f"{attnames[0]}__in": [k[0] for k in wanted]})
    else:
        by_first: dict[Any, list] = {}
        for k in wanted:
            by_first.setdefault(k[0], []).append(k[1])
        for first, rest in by_first.items():
            condition |= Q(**{attnames[0]: first, f"{attnames[1]}__in": rest})
    for row in model.objects.filter(condition, **(where or {})).values_list("pk", *attnames).iterator():
        obj = wanted.get(tuple(row[1:]))
        if obj is not None:
            obj.pk = row[0]


def insert_values(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows (values already what the database takes: numbers, strings, booleans, None,
    datetimes) into the columns of the fields ``names``, without building model instances. For the
    many small rows of an import (the hits)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in fields]
        model.objects.bulk_create([model(**dict(zip(attnames, row))) for row in rows], batch_size=500)
        return
    real = connections[connection.alias]
    table = real.ops.quote_name(model._meta.db_table)
    columns = ", ".join(real.ops.quote_name(f.column) for f in fields)
    with real.cursor() as wrapper:
        with wrapper.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
