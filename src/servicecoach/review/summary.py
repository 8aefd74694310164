"""The dashboard's summary tables (:class:`DailySummary`, :class:`RuleSummary`, :class:`ItemSummary`,
:class:`ReviewerSummary`): figures per local day,
agent and unit at the time, so that the QA dashboard reads a few thousand summary rows instead of scanning
every conversation of the period.

They are kept up to date incrementally: every change to a conversation's figures (ingest, scoring,
re-scoring, mapping an unknown agent) reaches :func:`on_conversations_changed` through the quality
services' change hook, and the review services call :func:`refresh_conversations` when a regular review
is submitted or an accepted appeal changes its score. A refresh recomputes the rows of each affected
(day, agent) from the detailed tables in the caller's transaction, so the summary always equals the
detailed computation. Background jobs (imports and re-scoring of thousands of conversations, batch after
batch) are the exception: their batches only note the days they touched (:class:`SummaryPending`, in the
batch's transaction) and the job settles them once at its end (:func:`flush_pending`); until then the
dashboard says that the figures of those days are being updated. ``servicecoach manage review_summary_rebuild`` rebuilds everything (back-fill,
or after data was written behind the services' back)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from servicecoach.quality.models import Conversation, RuleHit
from servicecoach.review.models import (
    DailySummary,
    ItemSummary,
    Review,
    ReviewerSummary,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    RuleSummary,
    SummaryPending,
)
from servicecoach.review.services import PASS_SCORE

CONV_SUMS = {
    "n": Count("pk"), "score_sum": Sum("score"), "with_score": Count("score"), "red": Count("pk", filter=Q(red_line=True)),
    "auto_passed": Count("pk", filter=Q(score__gte=PASS_SCORE)), "csat_sum": Sum("csat"), "csat_n": Count("csat"),
    "frt_sum": Sum("first_response_seconds"), "frt_n": Count("first_response_seconds"),
    "aht_sum": Sum("duration_seconds"), "aht_n": Count("duration_seconds"),
}
REVIEW_SUMS = {
    "reviewed": Count("pk"), "review_sum": Sum("score"), "passed": Count("pk", filter=Q(score__gte=PASS_SCORE)),
    "scored": Count("score"), "r_auto_passed": Count("pk", filter=Q(conversation__score__gte=PASS_SCORE)),
    "auto_scored": Count("conversation__score"),
}
# A review that took longer than this (left open over lunch) counts as this long in the throughput.
MAX_REVIEW_SECONDS = 2 * 3600
TABLES = (DailySummary, RuleSummary, ItemSummary, ReviewerSummary)
SUM_FIELDS = tuple(CONV_SUMS) + tuple(REVIEW_SUMS)
CHUNK = 2000
ALL = object()  # every agent of a day


def _tz():
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), _tz())


def local_day(moment: datetime | None) -> date | None:
    return None if moment is None else timezone.localtime(moment, _tz()).date()


def keys_of(ids: Iterable[int]) -> set[tuple[date, int | None]]:
    """(local day, agent id) of the stored conversations ``ids`` (those without a start are in no day)."""
    ids = list(ids)
    keys: set[tuple[date, int | None]] = set()
    for first in range(0, len(ids), CHUNK):
        for started, agent in Conversation.objects.filter(pk__in=ids[first:first + CHUNK], started_at__isnull=False
                                                          ).values_list("started_at", "agent_id"):
            keys.add((local_day(started), agent))
    return keys


def refresh_keys(keys: Iterable[tuple[date | None, int | None]]) -> int:
    """Recompute the summary rows of each (day, agent) from the detailed tables. Returns the rows written."""
    by_day: dict[date, set] = defaultdict(set)
    for day, agent in keys:
        if day is not None:
            by_day[day].add(agent)
    written = 0
    with transaction.atomic():
        for day in sorted(by_day):
            written += _refresh_day(day, by_day[day])
    return written


LOCK_SPACE = 0x5C0A  # the advisory-lock key space of the summary's days


def _lock_day(day: date) -> None:
    """Serialise the refreshes of one day on PostgreSQL until the transaction ends: a second refresh waits
    and then sees the first one's rows (otherwise two concurrent imports could both insert a day's rows).
    SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, day.toordinal()])


def _refresh_day(day: date, agents) -> int:
    _lock_day(day)
    if agents is ALL:
        who = Q()
    else:
        ids = sorted(a for a in agents if a is not None)
        who = Q(agent_id__in=ids) if ids else Q(pk__in=[])
        if None in agents:
            who |= Q(agent__isnull=True)
    for table in TABLES:
        table.objects.filter(who, day=day).delete()
    conversations = Conversation.objects.filter(who, started_at__gte=day_start(day),
                                                started_at__lt=day_start(day + timedelta(days=1))).order_by()
    submitted = Review.objects.filter(kind=ReviewKind.REGULAR, status=ReviewStatus.SUBMITTED,
                                      conversation__in=conversations.values("pk")).order_by()
    reviews = {(r["conversation__agent"], r["conversation__unit"]): r for r in
               submitted.values("conversation__agent", "conversation__unit").annotate(**REVIEW_SUMS)}
    rows = []
    for row in conversations.values("agent", "unit").annotate(**CONV_SUMS):
        rev = reviews.get((row["agent"], row["unit"]), {})
        rows.append(DailySummary(day=day, agent_id=row["agent"], unit_id=row["unit"],
                                 **{name: row.get(name, rev.get(name)) or 0 for name in SUM_FIELDS}))
    DailySummary.objects.bulk_create(rows, batch_size=1000)
    hits = [RuleSummary(day=day, agent_id=r["conversation__agent"], unit_id=r["conversation__unit"],
                        rule_id=r["rule_id"], n=r["n"])
            for r in RuleHit.objects.filter(is_current=True, conversation__in=conversations.values("pk")).order_by()
            .values("conversation__agent", "conversation__unit", "rule_id").annotate(n=Count("pk"))]
    RuleSummary.objects.bulk_create(hits, batch_size=1000)
    taken = (ReviewItem.objects.filter(review__in=submitted, applicable=True, bonus=False)
             .filter(Q(red_line=False, earned__lt=F("points")) | Q(red_line=True, violated=True)).order_by())
    items = [ItemSummary(day=day, agent_id=r["review__conversation__agent"], unit_id=r["review__conversation__unit"],
                         section=r["section"], item=r["item"], name=r["name"], problem_type=r["problem_type"],
                         severity=r["severity"], n=r["n"])
             for r in taken.values("review__conversation__agent", "review__conversation__unit", "section", "item",
                                   "name", "problem_type", "severity").annotate(n=Count("pk"))]
    ItemSummary.objects.bulk_create(items, batch_size=1000)
    throughput: dict[tuple, list] = {}
    for agent, unit, reviewer, opened, done in submitted.values_list(
            "conversation__agent", "conversation__unit", "reviewer_id", "opened_at", "submitted_at"):
        row = throughput.setdefault((agent, unit, reviewer), [0, 0.0])
        row[0] += 1
        row[1] += review_seconds(opened, done)
    ReviewerSummary.objects.bulk_create([
        ReviewerSummary(day=day, agent_id=agent, unit_id=unit, reviewer_id=reviewer, reviews=n, seconds=seconds)
        for (agent, unit, reviewer), (n, seconds) in throughput.items()], batch_size=1000)
    return len(rows) + len(hits) + len(items) + len(throughput)


def review_seconds(opened: datetime | None, done: datetime | None) -> float:
    """The time a review took, as the throughput counts it (0 without both times, at most MAX_REVIEW_SECONDS)."""
    if opened and done:
        return min(max((done - opened).total_seconds(), 0.0), MAX_REVIEW_SECONDS)
    return 0.0


def refresh_conversations(ids: Iterable[int], before: Iterable[tuple[datetime | None, int | None]] = ()) -> int:
    """Refresh the rows of the conversations ``ids`` and of the (start, agent) they had ``before``."""
    keys = keys_of(ids) | {(local_day(started), agent) for started, agent in before if started is not None}
    return refresh_keys(keys)


def on_conversations_changed(ids: list[int], before: list[tuple[datetime | None, int | None]],
                             bulk: bool = False) -> None:
    """The quality services' change hook (registered in ``ReviewConfig.ready``): refresh now, or in bulk
    mode (a job's batch) note the days for :func:`flush_pending`."""
    if bulk:
        note_pending(keys_of(ids) | {(local_day(started), agent) for started, agent in before if started})
    else:
        refresh_conversations(ids, before)


def note_pending(keys: Iterable[tuple[date | None, int | None]]) -> int:
    """Note the days of ``keys`` as to be recomputed (in the caller's transaction). Returns how many."""
    days = sorted({day for day, _agent in keys if day is not None})
    SummaryPending.objects.bulk_create([SummaryPending(day=day) for day in days], ignore_conflicts=True)
    return len(days)


def pending_days(start: date | None = None, end: date | None = None) -> list[date]:
    """The days noted and not settled yet (within ``start``..``end`` when given)."""
    qs = SummaryPending.objects.order_by("day")
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    return list(qs.values_list("day", flat=True))


def flush_pending() -> int:
    """Recompute every noted day (all its agents) and forget the notes, in one transaction. A day noted
    again by a batch that commits meanwhile stays noted (that batch's insert waits for this transaction,
    then finds the row gone). Returns the days settled."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            pending = SummaryPending.objects.select_for_update(skip_locked=True)
        else:
            pending = SummaryPending.objects.all()
        days = sorted(pending.values_list("day", flat=True))
        for day in days:
            _refresh_day(day, ALL)
        SummaryPending.objects.filter(day__in=days).delete()
    return len(days)


def rebuild() -> tuple[int, int]:
    """Rebuild both tables from the detailed data, day by day. Returns (days, rows written)."""
    with transaction.atomic():
        for table in TABLES:
            table.objects.all().delete()
        SummaryPending.objects.all().delete()
        span = Conversation.objects.filter(started_at__isnull=False).aggregate(first=Min("started_at"),
                                                                               last=Max("started_at"))
        if span["first"] is None:
            return 0, 0
        day, last = local_day(span["first"]), local_day(span["last"])
        count = written = 0
        while day <= last:
            written += _refresh_day(day, ALL)
            count += 1
            day += timedelta(days=1)
    return count, written
