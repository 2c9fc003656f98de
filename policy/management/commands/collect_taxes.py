from django.core.management.base import BaseCommand, CommandError

from policy.errors import PolicyError
from policy.services.collection import period_parse, previous_period, taxes_collect


class Command(BaseCommand):
    help = (
        "Collect the taxes of a month (default: last month) into one assessment per "
        "cooperative and kind of tax. Idempotent: a rerun changes nothing, and a run "
        "stopped half-way completes on rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="the month, as 2026-10 (default: last month)")

    def handle(self, *args, period=None, **options):
        try:
            month = period_parse(period) if period else previous_period()
        except ValueError:
            raise CommandError("Give the period as YYYY-MM, for example 2026-10.") from None
        try:
            result = taxes_collect(period=month)
        except PolicyError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{result.period:%Y-%m}: {result.cooperatives} cooperatives, "
            f"{result.parts} order parts and {result.returns} returns counted, "
            f"{result.changed} assessments written"
        )
