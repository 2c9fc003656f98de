"""English and French are complete: every string the code and templates use is in the
French catalogue, translated, with the same placeholders."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")


def _catalogue(path: Path):
    with path.open("rb") as po:
        return read_po(po)


def _ids(catalogue) -> set:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue if m.id}


def test_french_is_complete_and_keeps_every_placeholder():
    catalogue = _catalogue(ROOT / "locale/fr/LC_MESSAGES/django.po")
    untranslated, broken = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(message.id)
            continue
        if isinstance(message.id, str):
            if sorted(PLACEHOLDER.findall(strings[0])) != sorted(PLACEHOLDER.findall(message.id)):
                broken.append(message.id)
            continue
        # Plural: the last form says what the English plural says; the others may
        # leave the count out ("Une règle…" for one), never add a placeholder.
        plural = sorted(PLACEHOLDER.findall(message.id[1]))
        if sorted(PLACEHOLDER.findall(strings[-1])) != plural or any(
            not set(PLACEHOLDER.findall(string)) <= set(plural) for string in strings
        ):
            broken.append(message.id[0])
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not broken, f"placeholders differ in {broken[:5]}"


def test_every_translatable_string_is_in_the_catalogues(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed: apt-get install gettext")
    # Extract afresh in a copy of the sources, so the repository is never written to.
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "locale", "tests", "bench", "*.pyc"),
    )
    (copy / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["VAR_DIR"] = str(tmp_path / "var")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--verbosity", "0"],
        cwd=copy,
        env=env,
        check=True,
    )
    wanted = _ids(_catalogue(copy / "locale/fr/LC_MESSAGES/django.po"))
    have = _ids(_catalogue(ROOT / "locale/fr/LC_MESSAGES/django.po"))
    missing = sorted(wanted - have, key=str)
    assert not missing, f"{len(missing)} strings missing (run make messages): {missing[:5]}"
