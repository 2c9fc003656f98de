from django.conf import settings
from django.core.management.base import BaseCommand

from policy.services.rules import rules_seed_defaults
from policy.services.taxes import taxes_seed_defaults


class Command(BaseCommand):
    help = (
        "Seed the country profile's default listing and tax rules that are not there yet "
        "(by title): what a new deployment starts from, editable afterwards. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", default=settings.MARKETPLACE_COUNTRY)

    def handle(self, *args, country, **options):
        listing = rules_seed_defaults(country=country)
        tax = taxes_seed_defaults(country=country)
        self.stdout.write(f"listing rules added: {listing}, tax rules added: {tax}")
