"""Performance (绩效): months, the data-entry grid, import/export, scoring, locking, results, analysis,
scorecard templates, and the REST endpoints.

Administrators and training managers see everything; the supervisor (scope Team A) the months' pages
for Team A only (Team B's grid, Team B's agents' scorecards: 404); an agent only their own scorecard.
Opening, locking and unlocking months and changing templates are for administrators and training managers.
"""

from __future__ import annotations

from tests.permissions.matrix import FORBIDDEN, NOT_FOUND, OK, Entry, expect, only, signed_in

STAFF = ("admin", "training_manager", "supervisor")
MANAGERS = ("admin", "training_manager")


def _period(org):
    """The sample month 2026-10 (every sample agent in it), scored once; made once per entry."""
    period = getattr(org, "_kpi_period", None)
    if period is None:
        from servicecoach.kpi import services

        template = services.builtin_templates_sync()[0]
        period = services.period_create(actor=None, template=template, month="2026-10")
        services.input_set(actor=None, period=period, person=org.people["agent"], figure="sales", raw="90000")
        services.period_score(actor=None, period=period)
        org._kpi_period = period
    return period


def _template_copy(org):
    from servicecoach.kpi import services

    builtin = services.builtin_templates_sync()[0]
    return services.template_copy(actor=None, template=builtin, key="sample-copy", name="Sample copy")


def _result_pk(org, person) -> dict:
    from servicecoach.kpi.models import AgentResult

    return {"pk": AgentResult.objects.get(run=_period(org).current_run, person=person).pk}


def _p(org):
    return {"pk": _period(org).pk}


ENTRIES = [
    Entry("kpi:period-list", expect=only(*STAFF)),
    Entry("kpi:my-results", expect=signed_in()),
    Entry("kpi:analysis", expect=only(*STAFF)),
    Entry("kpi:analysis", label="scored month", kwargs=lambda org: (_period(org), {})[1], expect=only(*STAFF)),
    # Nothing scored yet: 404 for the staff; a scored month: the workbook.
    Entry("kpi:analysis-export", expect=expect(FORBIDDEN, admin=NOT_FOUND, training_manager=NOT_FOUND,
                                                supervisor=NOT_FOUND)),
    Entry("kpi:analysis-export", label="scored month", kwargs=lambda org: (_period(org), {})[1],
          expect=only(*STAFF)),
    Entry("kpi:period-create", expect=only(*MANAGERS)),
    # Without a month the form comes back with its error (200) for those who may open months.
    Entry("kpi:period-create", label="post", method="POST", data={}, expect=only(*MANAGERS)),
    Entry("kpi:period-detail", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:period-sync", method="POST", kwargs=_p, expect=only(*MANAGERS)),
    Entry("kpi:period-score", method="POST", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:period-lock", method="POST", kwargs=_p, expect=only(*MANAGERS)),
    Entry("kpi:period-unlock", kwargs=_p, expect=only(*MANAGERS)),
    Entry("kpi:period-unlock", label="post without reason", method="POST", kwargs=_p, data={},
          expect=only(*MANAGERS)),
    # No such figure source: a message and back to the month (302) for the staff.
    Entry("kpi:period-compute", method="POST", kwargs=_p, data={"source": "none"}, expect=only(*STAFF)),
    Entry("kpi:team-grid", label="own team", kwargs=lambda org: {"pk": _period(org).pk,
                                                                 "unit_pk": org.units["team_a"].pk},
          expect=only(*STAFF)),
    Entry("kpi:team-grid", label="other team", kwargs=lambda org: {"pk": _period(org).pk,
                                                                   "unit_pk": org.units["team_b"].pk},
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, supervisor=NOT_FOUND)),
    # A refused value answers 422 with the cell and its message; another team's agent: 404 for the supervisor.
    Entry("kpi:cell-save", label="own team, bad value", method="POST", kwargs=_p,
          data=lambda org: {"person": org.teammate.pk, "figure": "late_arrivals", "value": "1.5"},
          expect=expect(FORBIDDEN, admin=422, training_manager=422, supervisor=422)),
    Entry("kpi:cell-save", label="other team", method="POST", kwargs=_p,
          data=lambda org: {"person": org.outsider.pk, "figure": "late_arrivals", "value": "1"},
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, supervisor=NOT_FOUND)),
    # A team's labour cost: a refused amount re-renders the grid with the error (422); another team: 404.
    Entry("kpi:team-cost", label="own team, bad amount", method="POST",
          kwargs=lambda org: {"pk": _period(org).pk, "unit_pk": org.units["team_a"].pk},
          data={"labour_cost": "-1"}, expect=expect(FORBIDDEN, admin=422, training_manager=422, supervisor=422)),
    Entry("kpi:team-cost", label="own team", method="POST",
          kwargs=lambda org: {"pk": _period(org).pk, "unit_pk": org.units["team_a"].pk},
          data={"labour_cost": "8000"}, expect=only(*STAFF)),
    Entry("kpi:team-cost", label="other team", method="POST",
          kwargs=lambda org: {"pk": _period(org).pk, "unit_pk": org.units["team_b"].pk},
          data={"labour_cost": "-1"}, expect=expect(FORBIDDEN, admin=422, training_manager=422, supervisor=NOT_FOUND)),
    Entry("kpi:inputs-import", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:inputs-import", label="post without file", method="POST", kwargs=_p, data={}, expect=only(*STAFF)),
    Entry("kpi:inputs-export", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:input-history", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:results", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:results-export", kwargs=_p, expect=only(*STAFF)),
    Entry("kpi:result-detail", label="the agent's own", kwargs=lambda org: {
        "pk": _period(org).pk, "person_pk": org.people["agent"].pk},
        expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("kpi:result-detail", label="teammate", kwargs=lambda org: {
        "pk": _period(org).pk, "person_pk": org.teammate.pk},
        expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK)),
    Entry("kpi:result-detail", label="other team", kwargs=lambda org: {
        "pk": _period(org).pk, "person_pk": org.outsider.pk},
        expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
    Entry("kpi:template-list", expect=only(*STAFF)),
    Entry("kpi:template-detail", kwargs=lambda org: {"pk": _template_copy(org).pk}, expect=only(*STAFF)),
    Entry("kpi:template-copy", kwargs=lambda org: {"pk": _template_copy(org).pk}, expect=only(*MANAGERS)),
    Entry("kpi:template-copy", label="post", method="POST", data={},
          kwargs=lambda org: {"pk": _template_copy(org).pk}, expect=only(*MANAGERS)),
    Entry("kpi:template-edit", kwargs=lambda org: {"pk": _template_copy(org).pk}, expect=only(*MANAGERS)),
    Entry("kpi:template-edit", label="post", method="POST", data={},
          kwargs=lambda org: {"pk": _template_copy(org).pk}, expect=only(*MANAGERS)),
    # REST API (anonymous: 401).
    Entry("api:kpi-period-list", expect=only(*STAFF)),
    Entry("api:kpi-period-detail", kwargs=_p, expect=only(*STAFF)),
    Entry("api:kpi-period-inputs", label="own team, bad value", method="POST", json=True, kwargs=_p,
          data=lambda org: {"person": org.teammate.pk, "figure": "late_arrivals", "value": "1.5"},
          expect=expect(FORBIDDEN, admin=400, training_manager=400, supervisor=400)),
    Entry("api:kpi-period-inputs", label="other team", method="POST", json=True, kwargs=_p,
          data=lambda org: {"person": org.outsider.pk, "figure": "late_arrivals", "value": "1"},
          expect=expect(FORBIDDEN, admin=OK, training_manager=OK, supervisor=NOT_FOUND)),
    Entry("api:kpi-period-team-costs", kwargs=_p, expect=only(*STAFF)),
    Entry("api:kpi-period-team-costs", label="own team, bad amount", method="POST", json=True, kwargs=_p,
          data=lambda org: {"unit": org.units["team_a"].pk, "labour_cost": "-1"},
          expect=expect(FORBIDDEN, admin=400, training_manager=400, supervisor=400)),
    Entry("api:kpi-period-team-costs", label="other team", method="POST", json=True, kwargs=_p,
          data=lambda org: {"unit": org.units["team_b"].pk, "labour_cost": "-1"},
          expect=expect(FORBIDDEN, admin=400, training_manager=400, supervisor=NOT_FOUND)),
    Entry("api:kpi-period-score", method="POST", json=True, kwargs=_p, data={}, expect=only(*STAFF)),
    Entry("api:kpi-result-list", expect=signed_in()),
    Entry("api:kpi-result-detail", label="the agent's own", kwargs=lambda org: _result_pk(org, org.people["agent"]),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK, supervisor=OK, agent=OK)),
    Entry("api:kpi-result-detail", label="other team", kwargs=lambda org: _result_pk(org, org.outsider),
          expect=expect(NOT_FOUND, admin=OK, training_manager=OK)),
]
