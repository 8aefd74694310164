"""Model fields of the quality app."""

from __future__ import annotations

import orjson
from django.db import models

try:
    from psycopg.types.json import Jsonb
except ImportError:  # SQLite-only installations
    Jsonb = None


class JSONValuesField(models.JSONField):
    """A JSONField that PostgreSQL bulk inserts bind as one parameter per value.

    Django 5.2 bulk-inserts on PostgreSQL through ``UNNEST`` of one array per column when every field
    allows it; psycopg then quotes each JSON document into an array literal character by character,
    which made storing a batch of transcripts several times slower than the rest of the import put
    together. A field with ``get_placeholder`` keeps Django on plain ``VALUES`` rows."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        # orjson writes the documents several times faster than json.dumps; anything it cannot
        # write (a Decimal, say) takes Django's own path.
        if connection.vendor == "postgresql" and value is not None and not prepared and not hasattr(value, "as_sql"):
            try:
                text = orjson.dumps(value).decode()
            except TypeError:
                return super().get_db_prep_value(value, connection, prepared)
            return Jsonb(value, dumps=lambda _value, text=text: text)
        return super().get_db_prep_value(value, connection, prepared)
