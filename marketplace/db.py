"""Which database a read goes to.

The dashboard, the reports and the data API read aggregated figures that may lag a
little behind: with ``DATABASE_REPLICA_URL`` set they read from that read replica (the
``replica`` database), which takes their load off the main database; nothing is ever
written there. Without one they read the main database.
"""

from django.conf import settings


def reports_database() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"


class MainWritesRouter:
    """Every write and every migration goes to the main database; a read goes where its
    caller says (``.using(reports_database())``), else to the main database."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
