"""Knowledge base (/kb/ and /api/v1/knowledge/): who reads, who edits, who manages, whose acknowledgements.

Everyone signed in reads published articles; editors (admin, training manager, trainer, QA reviewer) edit;
drafts are 404 for the others; managers (admin, training manager) import, export, delete and ask for
acknowledgement; the administrator keeps the search settings; acknowledgement reports are for managers and
the supervisor (their team's people only); an acknowledgement task is its person's alone.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

EDITORS = ("admin", "training_manager", "trainer", "qa_reviewer")
MANAGERS = ("admin", "training_manager")
MISSING = 999_999


def _article(org, *, kind="faq", status="published", owner=None):
    from servicecoach.knowledge import services

    fields = {
        "faq": {"answer": "原路退回，1-3个工作日到账。"},
        "script": {"opening": "{客户称呼}您好，我是客服{客服昵称}。"},
        "standard": {"area": "red_line", "body": "不得索要验证码。"},
    }[kind]
    return services.article_create(kind=kind, title=f"样例 {kind} {status}", fields=fields, status=status,
                                   author=org.users["admin"], owner=owner, category="退款")


def _pk(**options):
    return lambda org: {"pk": _article(org, **options).pk}


def _attachment(org, **options):
    from servicecoach.knowledge import services

    upload = ContentFile(b"matrix", name="matrix.txt")
    return {"pk": services.attachment_add(article=_article(org, **options), upload=upload, actor=None).pk}


def _ack_request(org, unit_key):
    from servicecoach.knowledge import services

    return services.acknowledgement_request_create(article=_article(org, kind="standard"),
                                                   units=[org.units[unit_key]], actor=org.users["admin"])


def _agents_ack(org):
    return {"pk": _ack_request(org, "team_a").acknowledgements.get(person=org.people["agent"]).pk}


EDITOR_OK = only(*EDITORS)
DRAFT = expect(NOT_FOUND, **{role: OK for role in EDITORS})

ENTRIES = [
    Entry("knowledge:search", expect=signed_in()),
    Entry("knowledge:search", label="query", path="/kb/?q=退款多久到账&kind=faq", expect=signed_in()),
    Entry("knowledge:article-list", expect=EDITOR_OK),
    Entry("knowledge:article-create", kwargs={"kind": "faq"}, expect=EDITOR_OK),
    Entry("knowledge:article-create", label="invalid post", kwargs={"kind": "risk"}, method="POST", data={},
          expect=EDITOR_OK),
    Entry("knowledge:article-detail", label="published", kwargs=_pk(), expect=signed_in()),
    Entry("knowledge:article-detail", label="draft", kwargs=_pk(status="draft"), expect=DRAFT),
    Entry("knowledge:article-detail", label="agent's own draft",
          kwargs=lambda org: {"pk": _article(org, status="draft", owner=org.people["agent"]).pk},
          expect=expect(NOT_FOUND, agent=OK, **{role: OK for role in EDITORS})),
    Entry("knowledge:article-edit", label="published", kwargs=_pk(), expect=EDITOR_OK),
    Entry("knowledge:article-edit", label="draft", kwargs=_pk(status="draft"), expect=DRAFT),
    Entry("knowledge:article-edit", label="owned by the agent",
          kwargs=lambda org: {"pk": _article(org, owner=org.people["agent"]).pk},
          expect=expect(FORBIDDEN, agent=OK, **{role: OK for role in EDITORS})),
    # Deleting is not idempotent: a missing article shows who passes the role check (404) and who does not.
    Entry("knowledge:article-delete", kwargs={"pk": MISSING}, method="POST",
          expect=expect(FORBIDDEN, admin=NOT_FOUND, training_manager=NOT_FOUND)),
    Entry("knowledge:article-versions", kwargs=_pk(), expect=EDITOR_OK),
    Entry("knowledge:article-versions", label="draft", kwargs=_pk(status="draft"), expect=DRAFT),
    Entry("knowledge:article-compare", kwargs=_pk(), expect=EDITOR_OK),
    # Restoring the current version changes nothing (idempotent): editors are sent back to the article.
    Entry("knowledge:article-restore", kwargs=lambda org: {"pk": _article(org).pk, "number": 1}, method="POST",
          expect=EDITOR_OK),
    # An upload without a file: the article page comes back with the error (400) for those who may attach.
    Entry("knowledge:attachment-upload", kwargs=_pk(), method="POST", data={},
          expect=expect(FORBIDDEN, **{role: 400 for role in EDITORS})),
    Entry("knowledge:attachment-download", label="published", kwargs=_attachment, expect=signed_in()),
    Entry("knowledge:attachment-download", label="draft", kwargs=lambda org: _attachment(org, status="draft"),
          expect=DRAFT),
    Entry("knowledge:attachment-delete", kwargs={"pk": MISSING}, method="POST", expect=expect(NOT_FOUND)),
    Entry("knowledge:script-fill", kwargs=_pk(kind="script"), expect=signed_in()),
    Entry("knowledge:script-fill", label="not a script", kwargs=_pk(), expect=expect(NOT_FOUND)),
    Entry("knowledge:acknowledgement-request-create", kwargs=_pk(kind="standard"), expect=only(*MANAGERS)),
    Entry("knowledge:acknowledgement-request-create", label="invalid post", kwargs=_pk(kind="standard"),
          method="POST", data={}, expect=only(*MANAGERS)),
    Entry("knowledge:my-acknowledgements", expect=signed_in()),
    # Acknowledging twice keeps the first time (idempotent); only the agent's own task answers.
    Entry("knowledge:acknowledge", kwargs=_agents_ack, method="POST", expect=expect(NOT_FOUND, agent=OK)),
    Entry("knowledge:acknowledgement-requests", expect=only(*MANAGERS, "supervisor")),
    Entry("knowledge:acknowledgement-report", label="own team",
          kwargs=lambda org: {"pk": _ack_request(org, "team_a").pk}, expect=only(*MANAGERS, "supervisor")),
    Entry("knowledge:acknowledgement-report", label="other team",
          kwargs=lambda org: {"pk": _ack_request(org, "team_b").pk},
          expect=only(*MANAGERS, "supervisor") | {"supervisor": NOT_FOUND}),
    Entry("knowledge:acknowledgement-report-export", label="own team",
          kwargs=lambda org: {"pk": _ack_request(org, "team_a").pk}, expect=only(*MANAGERS, "supervisor")),
    Entry("knowledge:acknowledgement-report-export", label="other team",
          kwargs=lambda org: {"pk": _ack_request(org, "team_b").pk},
          expect=only(*MANAGERS, "supervisor") | {"supervisor": NOT_FOUND}),
    Entry("knowledge:review-list", expect=signed_in()),
    Entry("knowledge:unanswered", expect=EDITOR_OK),
    Entry("knowledge:import", expect=only(*MANAGERS)),
    Entry("knowledge:import", label="upload", method="POST", data={}, expect=only(*MANAGERS)),
    Entry("knowledge:export", expect=only(*MANAGERS)),
    Entry("knowledge:search-settings", expect=only("admin")),
    Entry("knowledge:search-settings", label="add word", method="POST", data={"action": "add_word"},
          expect=only("admin")),
    Entry("api:knowledge-article-list", expect=signed_in()),
    Entry("api:knowledge-article-detail", label="published", kwargs=_pk(), expect=signed_in()),
    Entry("api:knowledge-article-detail", label="draft", kwargs=_pk(status="draft"), expect=DRAFT),
    Entry("api:knowledge-search", path="/api/v1/knowledge/search/?q=退款", expect=signed_in()),
    Entry("api:knowledge-search", label="no query", expect=expect(400)),
]
