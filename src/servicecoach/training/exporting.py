"""The managers' learning report as an Excel workbook (openpyxl): one sheet per unit summary, one of
overdue learners."""

from __future__ import annotations

import datetime
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font


def report_workbook(rows, *, today: datetime.date) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("Units")[:31]
    summary.append([_("Unit"), _("Learners"), _("Enrolments"), _("Completed"), _("Completion rate (%)"),
                    _("Quiz attempts"), _("Quiz passes"), _("Pass rate (%)"), _("Overdue learners")])
    for row in rows:
        summary.append([row.unit.name, row.learners, row.enrolments, row.completed, row.completion_rate,
                        row.attempts, row.passed, row.pass_rate, len(row.overdue)])
    overdue = book.create_sheet(_("Overdue")[:31])
    overdue.append([_("Unit"), _("Employee number"), _("Name"), _("Learning path"), _("Overdue courses"),
                    _("Due"), _("Days overdue"), _("Progress (%)")])
    for row in rows:
        for item in row.overdue:
            overdue.append([row.unit.name, item["person"].employee_no, item["person"].name, item["path"].title,
                            ", ".join(c.title for c in item["courses"]), item["due_on"],
                            (today - item["due_on"]).days, item["percent"]])
    for sheet in (summary, overdue):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width * 1.6), 60)
    for cell in overdue["F"][1:]:
        cell.number_format = "yyyy-mm-dd"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
