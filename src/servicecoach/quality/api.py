"""REST endpoints of the Quality inspection app, under /api/v1/ (namespace ``api``).

``POST /api/v1/conversations/`` takes up to 1,000 conversation-v1 records (a JSON array, or
``{"conversations": [...]}``), stores the good ones (idempotent on source + id, scored with the
published versions) and reports each bad one with its index, field and reason. Reading is scoped
like the pages (``quality.selectors``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from servicecoach.core.api_permissions import HasRole, ReadOnly
from servicecoach.quality import jobs, selectors, services
from servicecoach.quality.engine.readers import ConversationFormatError, format_path, parse_conversation
from servicecoach.quality.serializers import (
    BatchResultSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
)

MAX_BATCH = 1000

CONVERSATION_FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("channel", OpenApiTypes.STR), OpenApiParameter("rule", OpenApiTypes.STR),
    OpenApiParameter("red_line", OpenApiTypes.BOOL), OpenApiParameter("source", OpenApiTypes.STR),
]


@extend_schema_view(
    list=extend_schema(parameters=CONVERSATION_FILTERS),
    create=extend_schema(request=OpenApiTypes.OBJECT, responses={200: BatchResultSerializer}),
)
class ConversationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """Conversations in the user's scope; administrators and QA reviewers send batches of them."""

    permission_classes = [IsAuthenticated & (ReadOnly | HasRole(*selectors.QA_STAFF))]

    def get_serializer_class(self):
        return ConversationDetailSerializer if self.action == "retrieve" else ConversationSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.conversations_visible_to(self.request.user).select_related(
                "current_result__ruleset", "current_result__scorecard").prefetch_related("current_result__hits")
        params = self.request.query_params
        filters = {}
        for key in ("channel", "rule"):
            if params.get(key):
                filters[key] = params[key]
        for key in ("date_from", "date_to"):
            if params.get(key):
                try:
                    filters[key] = date.fromisoformat(params[key])
                except ValueError:
                    raise ValidationError({key: "must be a date YYYY-MM-DD"}) from None
        if params.get("red_line") in ("true", "false"):
            filters["red_line"] = params["red_line"] == "true"
        qs = selectors.conversation_list(user=self.request.user, filters=filters)
        if params.get("source"):
            qs = qs.filter(source=params["source"])
        return qs

    def create(self, request, *args, **kwargs):
        body = request.data
        records = body.get("conversations") if isinstance(body, dict) else body
        if not isinstance(records, list):
            raise ValidationError({"conversations": "send a JSON array of conversations (conversation-v1)"})
        if len(records) > MAX_BATCH:
            raise ValidationError({"conversations": f"at most {MAX_BATCH} per request, not {len(records)}"})
        items, errors, indexes = [], [], []
        for index, obj in enumerate(records):
            try:
                items.append((parse_conversation(obj, file="request", line=index), obj))
                indexes.append(index)
            except ConversationFormatError as exc:
                cid = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
                errors.append({"index": index, "id": cid, "field": format_path(exc.path), "reason": exc.rule})
        # Bulk mode: derived data (the dashboard summary) is noted in the batch's transaction and settled
        # right after, away from the request, once for however many batches arrive meanwhile.
        with services.bulk_changes():
            outcome = services.conversations_ingest(items=items)
        transaction.on_commit(jobs.settle_dispatch)
        # records come back in first-seen order of (source, id); map each to the request's index
        first_index: dict[tuple[str, str], int] = {}
        for index, (conv, _raw) in zip(indexes, items):
            first_index.setdefault((conv.source[:80], conv.id[:200]), index)
        result = {
            "created": outcome.imported, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "skipped": len(errors),
            "records": [{"index": first_index[(s, i)], "source": s, "id": i, "status": st, "pk": pk}
                        for s, i, st, pk in outcome.records],
            "errors": errors,
        }
        return Response(result, status=status.HTTP_200_OK)


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("conversations", ConversationViewSet, basename="conversation")
    return []
