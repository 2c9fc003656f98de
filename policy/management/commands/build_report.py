from datetime import date

from django.core.management.base import BaseCommand, CommandError

from policy.errors import PolicyError
from policy.services.reports import last_month, report_build


class Command(BaseCommand):
    help = (
        "Build the monitoring report of a month (default: last month) and store it in "
        "place of any earlier report of that month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="the month, as 2026-10 (default: last month)")

    def handle(self, *args, period=None, **options):
        try:
            month = date.fromisoformat(f"{period}-01") if period else last_month()
        except ValueError:
            raise CommandError("Give the month as YYYY-MM, for example 2026-10.") from None
        try:
            report = report_build(period=month)
        except PolicyError as error:
            raise CommandError(error.message) from None
        sections = report.figures["sections"]
        rows = sum(len(s["rows"]) for s in sections)
        self.stdout.write(
            f"report {report.period:%Y-%m} built: {len(sections)} sections, {rows} rows"
        )
