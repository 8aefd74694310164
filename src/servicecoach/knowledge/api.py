"""REST endpoints of the Knowledge base app, under /api/v1/ (namespace ``api``).

- ``knowledge/articles/``: the articles the user may read (published ones; editors see drafts too), filter by
  ``kind``, ``category``, ``tag``; ``knowledge/articles/<id>/`` one of them (404 outside what the user may read).
- ``knowledge/search/?q=...``: the search of the web pages (same ranking, highlights as character spans).
Read-only: articles are written through the pages (and ``knowledge.services`` by other apps).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecoach.knowledge import selectors
from servicecoach.knowledge.models import Article, Kind


class ArticleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="name", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    owner = serializers.CharField(source="owner.name", default="", read_only=True)

    class Meta:
        model = Article
        fields = ["id", "kind", "title", "status", "fields", "category", "tags", "owner", "review_date", "version",
                  "source_system", "source_id", "source_url", "updated_at"]
        read_only_fields = fields


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Knowledge articles the user may read."""

    serializer_class = ArticleSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        articles = selectors.articles_visible_to(self.request.user).prefetch_related("tags").order_by("id")
        params = self.request.query_params
        if params.get("kind"):
            articles = articles.filter(kind=params["kind"])
        if params.get("category"):
            articles = articles.filter(category__name=params["category"])
        if params.get("tag"):
            articles = articles.filter(tags__name=params["tag"])
        return articles


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    highlights = serializers.DictField()
    snippets = serializers.ListField()


class SearchView(APIView):
    """Search the published articles, best first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, required=True),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
        OpenApiParameter("category", OpenApiTypes.STR), OpenApiParameter("tag", OpenApiTypes.STR),
        OpenApiParameter("limit", OpenApiTypes.INT),
    ], responses=SearchHitSerializer(many=True))
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if not query:
            raise serializers.ValidationError({"q": _("A query is required.")})
        kind = request.query_params.get("kind", "")
        if kind and kind not in Kind.values:
            raise serializers.ValidationError({"kind": _("One of %(kinds)s.") % {"kinds": ", ".join(Kind.values)}})
        try:
            limit = min(max(int(request.query_params.get("limit", 10)), 1), 50)
        except ValueError:
            raise serializers.ValidationError({"limit": _("A whole number from 1 to 50.")}) from None
        result, articles = selectors.article_search(
            user=request.user, query=query[:200], kind=kind, category=request.query_params.get("category", ""),
            tag=request.query_params.get("tag", ""), limit=limit)
        hits = [{"id": int(hit.id), "kind": hit.article["kind"], "title": hit.article["title"],
                 "score": round(hit.score, 4), "highlights": hit.highlights,
                 "snippets": [{"field": s.field, "text": s.text, "spans": s.spans} for s in hit.snippets]}
                for hit in result.hits]
        return Response({"query": query, "total": result.total, "no_good_answer": result.no_good_answer,
                         "confidence": round(result.confidence, 3), "hits": hits})


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("knowledge/articles", ArticleViewSet, basename="knowledge-article")
    return [path("knowledge/search/", SearchView.as_view(), name="knowledge-search")]
