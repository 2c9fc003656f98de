"""Monthly reports: the list with the form that queues one, the printable page of a
stored report, and its CSV and spreadsheet downloads (every section, the period written
first)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.exports import csv_response, xlsx_workbook_response
from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.reports import ReportRequestForm
from policy.models import Report
from policy.selectors.reports import month_bounds, report_by_period, reports_list, shown
from policy.selectors.taxes import month_of
from policy.services.reports import report_request


@role_required(Role.REGULATOR)
def report_list(request):
    reports = list(reports_list()[:60])
    return render(
        request,
        "policy/reports.html",
        {
            "reports": reports,
            "form": ReportRequestForm(),
            # A report being built: the page looks again in a few seconds (no script).
            "waiting": any(r.status == Report.Status.QUEUED for r in reports),
        },
    )


@role_required(Role.REGULATOR)
@require_POST
def report_create(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month from the list."))
        return redirect("policy:reports")
    try:
        report = report_request(period=form.cleaned_data["period"], by=request.user)
    except PolicyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The report of %(period)s is queued: this page shows it when it is ready.")
            % {"period": f"{report.period:%Y-%m}"},
        )
    return redirect("policy:reports")


def _ready_report(year: int, month: int) -> Report:
    period = month_of(year, month)
    report = report_by_period(period) if period else None
    if report is None or report.status != Report.Status.READY:
        raise Http404
    return report


def _heading_rows(report: Report) -> list[list]:
    start, end = month_bounds(report.period)
    return [
        [_("Lokapasar monthly report")],
        [_("Period"), start.isoformat(), end.isoformat()],
        [_("Currency"), settings.MARKETPLACE_CURRENCY],
        [_("Built"), report.built_at.strftime("%Y-%m-%d %H:%M") if report.built_at else ""],
        [],
    ]


@role_required(Role.REGULATOR)
def report_detail(request, year: int, month: int):
    report = _ready_report(year, month)
    start, end = month_bounds(report.period)
    return render(
        request,
        "policy/report.html",
        {
            "report": report,
            "sections": shown(report),
            "start": start,
            "end": end,
            "currency": settings.MARKETPLACE_CURRENCY,
        },
    )


@role_required(Role.REGULATOR)
def report_download(request, year: int, month: int, fmt: str):
    report = _ready_report(year, month)
    sections = shown(report)
    filename = f"lokapasar-report-{report.period:%Y-%m}.{fmt}"
    if fmt == "csv":
        rows: list[list] = _heading_rows(report)
        for section in sections:
            rows += [[section["title"]], section["columns"], *section["rows"], []]
        return csv_response(filename=filename, rows=rows)
    if fmt == "xlsx":
        return xlsx_workbook_response(
            filename=filename,
            sheets=[
                (section["title"], [*_heading_rows(report), section["columns"], *section["rows"]])
                for section in sections
            ],
        )
    raise Http404
