"""Compile every ``locale/*/LC_MESSAGES/*.po`` into its ``.mo``, with Babel.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh machine
often lacks; Babel is a Python dependency already installed, so ``make run`` works
with nothing but Python. The output is the same binary catalogue format.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation files into .mo files (no gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parent.parent.name)
                errors = list(catalog.check())
                if errors:
                    raise CommandError(f"{po_path}: {errors[0]}")
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
