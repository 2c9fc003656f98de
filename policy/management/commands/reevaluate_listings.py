from django.core.management.base import BaseCommand

from policy.services.closure import listings_reevaluate


class Command(BaseCommand):
    help = (
        "Re-evaluate every listing against the rules in force: suspend those a rule "
        "forbids, bring back those no rule forbids any more. Idempotent."
    )

    def handle(self, *args, **options):
        result = listings_reevaluate()
        self.stdout.write(f"suspended: {result.suspended}, released: {result.released}")
