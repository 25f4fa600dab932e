"""Fast bulk loading for `seed_load`: COPY on PostgreSQL, batched INSERTs elsewhere.

Load data runs to millions of rows, far past what `bulk_create` does in reasonable time. The
writer streams tuples straight into the table, with explicit primary keys so later stages can
compute the ids they refer to instead of reading them back, and fills every NOT NULL column the
caller leaves out with the field's Python default (Django sets no database defaults). Progress
goes to a terminal line that rewrites itself.

Each app's load seeder (settings.LOAD_SEEDERS) receives a `LoadContext`: the sizes asked for,
one seeded random generator (the same options give the same data), the writer and the id ranges
of what earlier stages wrote.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

BATCH_SIZE = 5_000


class ProgressLine:
    """`label: 350,000/1,000,000 (35%) 120,000 rows/s`, rewritten in place (plain lines when the
    output is not a terminal)."""

    def __init__(self, stream: TextIO, label: str, total: int) -> None:
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.started = time.monotonic()
        self.done = 0
        self._last_percent = -1
        self._tty = bool(getattr(stream, "isatty", lambda: False)())

    def advance(self, count: int = 1) -> None:
        self.done += count
        percent = min(100, self.done * 100 // self.total)
        step = 1 if self._tty else 25
        if percent // step != self._last_percent // step:
            self._last_percent = percent
            self._write(end="\r" if self._tty and percent < 100 else "\n")

    def finish(self) -> float:
        elapsed = time.monotonic() - self.started
        if self._last_percent < 100:
            self._last_percent = 100
            self._write(end="\n")
        return elapsed

    def _write(self, *, end: str) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"  {self.label}: {self.done:,}/{self.total:,} "
            f"({min(100, self.done * 100 // self.total)}%) {self.done / elapsed:,.0f} rows/s{end}"
        )
        self.stream.flush()


def _constant_defaults(
    model: type[models.Model], given: list[str], now: datetime
) -> dict[str, Any]:
    """Values for the NOT NULL columns the caller did not give."""
    values: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.attname in given or model_field.null or model_field.primary_key:
            continue
        if model_field.generated:  # computed by the database (GeneratedField)
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value: Any = now
        elif model_field.has_default():
            value = model_field.get_default()
        elif isinstance(model_field, (models.CharField, models.TextField, models.FileField)):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{model_field.name} needs a value.")
        if isinstance(model_field, models.JSONField):
            value = json.dumps(value)
        values[model_field.column] = value
    return values


class BulkWriter:
    """Streams rows into tables; one instance per command run."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.now = timezone.now()
        self.is_postgres = connection.vendor == "postgresql"

    def next_id(self, model: type[models.Model]) -> int:
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def write(
        self,
        model: type[models.Model],
        columns: list[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        total: int,
        label: str,
    ) -> int:
        """Write `rows` (tuples in the order of `columns`, attnames such as `learner_id`) into
        `model`'s table; returns the number written."""
        names = {f.attname: f.column for f in model._meta.concrete_fields}
        defaults = _constant_defaults(model, columns, self.now)
        db_columns = [names[column] for column in columns] + list(defaults)
        extra = tuple(defaults.values())
        progress = ProgressLine(self.stream, label, total)
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(column) for column in db_columns)
        written = 0
        with connection.cursor() as cursor:
            if self.is_postgres:
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra)
                        written += 1
                        if written % BATCH_SIZE == 0:
                            progress.advance(BATCH_SIZE)
            else:
                placeholders = ", ".join(["%s"] * len(db_columns))
                # Names come from the model's metadata, quoted by the backend; values are params.
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
                extra = tuple(self._adapt(value) for value in extra)
                for batch in _batches(rows, BATCH_SIZE):
                    cursor.executemany(
                        sql, [tuple(self._adapt(v) for v in row) + extra for row in batch]
                    )
                    written += len(batch)
                    progress.advance(len(batch))
        progress.done = written
        progress.finish()
        return written

    @staticmethod
    def _adapt(value: Any) -> Any:
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def analyze(self) -> bool:
        """Refresh PostgreSQL's planner statistics (ANALYZE; it samples, so it stays fast at
        millions of rows). Freshly COPYed tables have none until autovacuum gets to them, and
        meanwhile the planner guesses their sizes (a quarter of the lessons, a learner with
        hundreds of enrollments) and hash-joins whole tables for a page of rows. False on other
        databases, whose planners need no such help here."""
        if not self.is_postgres:
            return False
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return True

    def reset_sequences(self, *model_classes: type[models.Model]) -> None:
        """After writing explicit ids, make the next ORM insert continue after them."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class LoadContext:
    """What every load seeder gets: sizes, randomness, the writer and earlier stages' ids."""

    prefix: str
    sizes: dict[str, int]
    seed: int
    writer: BulkWriter
    stream: TextIO
    now: datetime
    # Contiguous id ranges written (or found) by earlier stages, e.g. ranges["learners"].
    ranges: dict[str, range] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        """A generator per stage, so a resumed run writes what a whole run would have."""
        return random.Random(f"{self.seed}:{stage}")  # noqa: S311 - load data, not secrets

    def say(self, message: str) -> None:
        self.stream.write(f"{message}\n")
        self.stream.flush()
