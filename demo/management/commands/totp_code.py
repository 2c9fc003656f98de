"""Print the current two-factor code of the demo regulator and administrator.

The demo regulator's TOTP secret is public (README), so this reveals nothing; it
saves a newcomer from installing an authenticator app to try the regulator pages.
"""

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management.base import BaseCommand

from demo.management.commands.seed_demo import DEMO_REGULATOR_TOTP_SECRET


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


class Command(BaseCommand):
    help = "Print the demo regulator's and administrator's current two-factor (TOTP) code."

    def handle(self, *args, **options):
        self.stdout.write(current_code(DEMO_REGULATOR_TOTP_SECRET))
