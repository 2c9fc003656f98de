from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from policy.errors import PolicyError
from policy.services.villages import villages_mark


class Command(BaseCommand):
    help = (
        "Mark the communes that meet the digital-village thresholds in a year (default: "
        "last year; the year under way is counted to today). Rewrites the year's marks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the year, e.g. 2026 (default: last year)")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year - 1
        if not 2000 <= year <= 9999:
            raise CommandError("Give a year such as 2026.")
        try:
            labelled = villages_mark(year=year)
        except PolicyError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"digital villages of {year}: {labelled} communes labelled")
