import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("lokapasar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


def task_nudge(task, *args) -> bool:
    """Publish ``task`` now if the broker answers, without publish retries; never raise.

    For tasks whose work a beat job also does (relaying the outbox, enforcing rules): a
    broker that is away only delays that work, and the action that asked for it, already
    committed, must not fail for it. Returns whether the task was published. Tasks run
    in-process (the embedded defaults, tests) raise as they would have in a worker.
    """
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        log.info("could not publish %s", task.name, exc_info=True)
        return False
    return True
