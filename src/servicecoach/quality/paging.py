"""A paginator that stops counting at a cap: on a table of a million conversations, counting every
match of a broad filter costs more than the page itself. Past the cap the list says "more than N"
and offers the first N / page size pages; narrower filters give the exact count."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """``settings.QUALITY_LIST_COUNT_CAP`` (default 10,000) is where counting stops."""

    @cached_property
    def cap(self) -> int:
        return int(getattr(settings, "QUALITY_LIST_COUNT_CAP", COUNT_CAP))

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)

    capped = False
