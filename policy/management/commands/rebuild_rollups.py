from datetime import date

from django.core.management.base import BaseCommand, CommandError

from policy.services.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the monitoring dashboard's daily rollups from a day (to today, or to "
        "--to). Idempotent: a day's figures are replaced, never added twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="the first day, 2025-06-01")
        parser.add_argument("--to", dest="last", help="the last day (default: today)")

    def handle(self, *args, first, last=None, **options):
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else None
        except ValueError:
            raise CommandError("Give the days as YYYY-MM-DD, for example 2025-06-01.") from None
        built = rollups_rebuild(first=start, last=end)
        self.stdout.write(f"rollups rebuilt for {built} days from {start:%Y-%m-%d}")
