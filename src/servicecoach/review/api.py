"""REST endpoints of the Quality review app, under /api/v1/ (namespace ``api``): reviews and appeals,
read-only, scoped exactly like the pages (``review.selectors``: outside the scope is 404)."""

from __future__ import annotations

from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from servicecoach.core.api_permissions import HasRole
from servicecoach.review import selectors
from servicecoach.review.models import ReviewKind
from servicecoach.review.serializers import AppealSerializer, ReviewDetailSerializer, ReviewSerializer


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews in the user's scope (regular ones; ``?kind=calibration`` for one's calibration reviews)."""

    permission_classes = [IsAuthenticated & HasRole(*selectors.REVIEW_ROLES)]

    def get_serializer_class(self):
        return ReviewDetailSerializer if self.action == "retrieve" else ReviewSerializer

    def get_queryset(self):
        qs = selectors.reviews_visible_to(self.request.user)
        if self.action == "list":
            kind = self.request.query_params.get("kind")
            qs = qs.filter(kind=kind if kind in ReviewKind.values else ReviewKind.REGULAR)
            if self.request.query_params.get("status"):
                qs = qs.filter(status=self.request.query_params["status"])
        else:
            qs = qs.prefetch_related("items")
        return qs.order_by("-pk")


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appeals in the user's scope with their items and history."""

    permission_classes = [IsAuthenticated & HasRole(*selectors.REVIEW_ROLES)]
    serializer_class = AppealSerializer

    def get_queryset(self):
        return selectors.appeals_visible_to(self.request.user).prefetch_related(
            "items__review_item", "steps").order_by("-pk")


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("reviews", ReviewViewSet, basename="review")
    router.register("appeals", AppealViewSet, basename="appeal")
    return []
