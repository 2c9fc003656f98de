"""Monthly reports (issue 12): a regulator queues a month's report from the page, a real
worker builds it from the rollups and the regulator's records, the page shows it and
its files download with the period written first; building a month again replaces its
report; the command and beat build one too."""

import csv
import io
import time
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.models import AuditEvent
from policy.models import Report
from policy.selectors.reports import shown
from policy.services.reports import last_month, report_build
from policy.services.rollups import rollups_rebuild
from policy.tasks.reports import build_last_months_report
from tests.factories import RegulatorFactory, UserFactory, force_login_with_mfa, place_order
from tests.policy.test_dashboard import market  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _regulator():
    client = Client()
    force_login_with_mfa(client, RegulatorFactory())
    return client


def _section(report, name):
    return next(s for s in shown(report) if s["name"] == name)


def _summary(report) -> dict:
    return {
        row[0]: row[1] if row[1] is not None else row[2]
        for row in _section(report, "summary")["rows"]
    }


def _wait_ready(period, *, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report = Report.objects.filter(period=period).first()
        if report and report.status == Report.Status.READY:
            return report
        time.sleep(0.2)
    raise AssertionError("the worker did not build the report")


@pytest.mark.django_db(transaction=True)
def test_a_regulator_queues_a_report_and_a_worker_builds_it(market, celery_worker):  # noqa: F811
    rollups_rebuild(first=timezone.localdate())
    month = timezone.localdate().replace(day=1)
    client = _regulator()
    response = client.post(reverse("policy:report_create"), {"period": f"{month:%Y-%m}"})
    assert response.status_code == 302
    page = client.get(reverse("policy:reports"))
    report = _wait_ready(month)
    summary = _summary(report)
    # Alpha 55 000, Beta 80 000 (its cancelled order left out), abroad 50 000.
    assert summary["Sales"] == Decimal("185000")
    assert summary["Orders"] == 3 and summary["Refunds"] == Decimal("11100")
    assert summary["Active cooperatives"] == 3
    assert summary["Active cross-border cooperatives"] == 1
    assert summary["Cross-border share of sales (%)"] == "27.0"
    provinces = {row[0]: row[1] for row in _section(report, "province")["rows"]}
    assert provinces["Bali"] == Decimal("55000") and provinces["Jawa Barat"] == Decimal("80000")
    cooperatives = {row[0]: row for row in _section(report, "cooperatives")["rows"]}
    assert cooperatives["Koperasi Alpha"][1:5] == ["Bali", "Ubud", "Local", Decimal("55000")]
    assert cooperatives["Guangzhou Crafts Ltd"][3] == "Abroad"
    assert AuditEvent.objects.filter(action="report_requested", subject=f"{month:%Y-%m}").exists()
    # While it was queued the list looked again by itself; once built it links the report.
    assert page.status_code == 200
    page = client.get(reverse("policy:reports"))
    assert b'http-equiv="refresh"' not in page.content
    detail = reverse("policy:report", args=[month.year, month.month])
    assert detail.encode() in page.content
    printable = client.get(detail)
    assert printable.status_code == 200
    assert "Koperasi Alpha" in printable.content.decode()
    assert "siti" not in printable.content.decode().lower()


def test_the_files_carry_the_period_and_every_section(market):  # noqa: F811
    rollups_rebuild(first=timezone.localdate())
    month = timezone.localdate().replace(day=1)
    report_build(period=month)
    client = _regulator()
    response = client.get(reverse("policy:report_download", args=[month.year, month.month, "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Lokapasar monthly report"]
    assert rows[1][0] == "Period" and rows[1][1] == month.isoformat()
    for title in (
        "Summary",
        "Sales by province",
        "Sales by category",
        "Sales by cooperative",
        "Listings blocked, by rule",
        "Appeals and their outcomes",
        "Recalls opened or closed in the month",
    ):
        assert [title] in rows
    assert ["Sales", "", "185000.00"] in rows
    assert not any("siti" in cell.lower() for row in rows for cell in row)
    sheet = client.get(reverse("policy:report_download", args=[month.year, month.month, "xlsx"]))
    book = zipfile.ZipFile(io.BytesIO(sheet.content))
    workbook = book.read("xl/workbook.xml").decode()
    assert 'name="Summary"' in workbook and 'name="Sales by cooperative"' in workbook
    assert (
        client.get(
            reverse("policy:report_download", args=[month.year, month.month, "pdf"])
        ).status_code
        == 404
    )
    # A month without a report, or a month that is no month, is not found.
    assert client.get(reverse("policy:report", args=[2001, 1])).status_code == 404
    assert client.get(reverse("policy:report", args=[2026, 13])).status_code == 404


def test_a_rebuild_replaces_the_months_report(market):  # noqa: F811
    today = timezone.localdate()
    rollups_rebuild(first=today)
    month = today.replace(day=1)
    first = report_build(period=month)
    place_order(UserFactory(), market["beta"].products.first(), quantity=1)
    rollups_rebuild(first=today)
    second = report_build(period=month)
    assert Report.objects.filter(period=month).count() == 1 and first.pk == second.pk
    assert _summary(second)["Sales"] == Decimal("225000")


def test_the_command_builds_a_month_and_refuses_a_bad_one(market, capsys):  # noqa: F811
    rollups_rebuild(first=timezone.localdate())
    month = timezone.localdate().replace(day=1)
    call_command("build_report", "--period", f"{month:%Y-%m}")
    assert f"report {month:%Y-%m} built: 7 sections" in capsys.readouterr().out
    assert Report.objects.get(period=month).status == Report.Status.READY
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("build_report", "--period", "October")
    future = (month + timedelta(days=40)).replace(day=1)
    with pytest.raises(CommandError, match="not begun"):
        call_command("build_report", "--period", f"{future:%Y-%m}")


def test_beat_builds_last_months_report():
    build_last_months_report()
    report = Report.objects.get()
    assert report.period == last_month() and report.status == Report.Status.READY
    assert _summary(report)["Sales"] == Decimal("0")


@pytest.mark.parametrize("period", ["2099-01", "1999-01", "x\x00", "9" * 40, "", "2026-10-01"])
def test_a_tampered_month_gets_a_clear_answer_and_queues_nothing(period):
    client = _regulator()
    response = client.post(reverse("policy:report_create"), {"period": period}, follow=True)
    assert response.status_code == 200
    assert "Choose a month from the list." in response.content.decode()
    assert not Report.objects.exists()


def test_a_report_reads_in_the_regulators_language(market):  # noqa: F811
    rollups_rebuild(first=timezone.localdate())
    report = report_build(period=timezone.localdate())
    with translation.override("fr"):
        sections = shown(report)
    assert sections[0]["title"] == "Récapitulatif"
    assert sections[0]["rows"][0][0] == "Ventes"
