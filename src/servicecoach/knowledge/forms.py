"""Forms of the knowledge base: the editor (common fields plus the fields of the article's kind), search,
acknowledgement requests, imports, the dictionary."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.knowledge import kinds
from servicecoach.knowledge.models import Article, Category, Kind, Status, Tag
from servicecoach.org.models import OrgUnit, Person

TEXTAREA = {"rows": 4}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False,
                        widget=forms.SearchInput(attrs={"placeholder": _("Type a question, e.g. 钱什么时候退回来"),
                                                        "autocomplete": "off", "autofocus": True}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    category = forms.ChoiceField(label=_("Category"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")),
                                           *((c, c) for c in Category.objects.values_list("name", flat=True))]


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices])
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.all(),
                                      empty_label=_("All categories"))
    tag = forms.ModelChoiceField(label=_("Tag"), required=False, queryset=Tag.objects.all(),
                                 empty_label=_("All tags"))


class ArticleForm(forms.Form):
    """The editor. The common fields, then one form field per structured field of ``kind``
    (named ``f_<name>``)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.PUBLISHED)
    category = forms.CharField(label=_("Category"), max_length=80, required=False,
                               help_text=_("Type an existing category or a new one."))
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False,
                           help_text=_("Separated by commas or spaces."))
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=Person.objects.none(),
                                   help_text=_("Reviews the article by its review date and may always edit it."))
    review_date = forms.DateField(label=_("Review date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    related = forms.ModelMultipleChoiceField(label=_("Related articles"), required=False,
                                             queryset=Article.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False,
                           help_text=_("Kept with the new version."))

    def __init__(self, *args, kind: str, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["owner"].queryset = Person.objects.filter(status="active").order_by("name")
        related = Article.objects.exclude(status=Status.ARCHIVED).order_by("title")
        if article is not None:
            related = related.exclude(pk=article.pk)
        self.fields["related"].queryset = related
        if kind == Kind.FAQ:
            self.fields["title"].label = pgettext_lazy("knowledge", "Question")
        for spec in kinds.field_specs(kind):
            self.fields[f"f_{spec.name}"] = self._field_for(spec)
        if kind == Kind.CASE:
            self.fields["source_system"] = forms.CharField(label=_("Source"), max_length=40, required=False,
                                                           help_text=_("Where the case came from, e.g. quality."))
            self.fields["source_id"] = forms.CharField(label=_("Source id"), max_length=100, required=False)
            self.fields["source_url"] = forms.CharField(label=_("Source link"), max_length=500, required=False)
        # the editor's order: title first, then the kind's content, then the rest
        order = ["title", *(f"f_{s.name}" for s in kinds.field_specs(kind))]
        self.order_fields(order)
        if article is not None and not self.is_bound:
            self.initial.update(initial_for(article))

    @staticmethod
    def _field_for(spec: kinds.FieldSpec) -> forms.Field:
        if spec.shape == "choice":
            return forms.ChoiceField(label=spec.label, choices=[("", "—"), *spec.choices], required=spec.required,
                                     help_text=spec.help)
        rows = 3 if spec.shape == "lines" else 6
        return forms.CharField(label=spec.label, required=spec.required, help_text=spec.help,
                               widget=forms.Textarea(attrs={"rows": rows}))

    def structured(self) -> dict:
        """The kind's fields as ``Article.fields`` holds them."""
        data = {}
        for spec in kinds.field_specs(self.kind):
            value = self.cleaned_data.get(f"f_{spec.name}", "")
            if spec.shape == "scenarios":
                value = kinds.parse_scenarios(value or "")
            data[spec.name] = value
        return data

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "") or ""
        return [t for t in raw.replace("，", ",").replace(",", " ").split() if t]


def initial_for(article: Article) -> dict:
    initial = {
        "title": article.title, "status": article.status,
        "category": article.category.name if article.category_id else "",
        "tags": ", ".join(t.name for t in article.tags.all()), "owner": article.owner_id,
        "review_date": article.review_date, "related": list(article.related.values_list("pk", flat=True)),
        "source_system": article.source_system, "source_id": article.source_id, "source_url": article.source_url,
    }
    for spec in kinds.field_specs(article.kind):
        value = article.fields.get(spec.name)
        if spec.shape == "lines":
            value = "\n".join(value or [])
        elif spec.shape == "scenarios":
            value = kinds.format_scenarios(value or [])
        initial[f"f_{spec.name}"] = value or ""
    return initial


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class AcknowledgementRequestForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label=_("Units"), queryset=OrgUnit.objects.none(),
                                           widget=forms.SelectMultiple(attrs={"size": 8}),
                                           help_text=_("Everyone active in these units and the units under them."))
    due_date = forms.DateField(label=_("Due date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units.order_by("path")
        self.fields["units"].label_from_instance = lambda u: f"{'　' * u.depth}{u.name}"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("An Excel workbook (.xlsx) or a Markdown file (.md)."))


class DomainWordForm(forms.Form):
    word = forms.CharField(label=_("Word"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SynonymGroupForm(forms.Form):
    words = forms.CharField(label=_("Words that mean the same"), max_length=400,
                            help_text=_("Separated by spaces or commas, e.g. 退款 退钱 返款."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
