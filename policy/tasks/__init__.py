"""The listing policy's background jobs, one module per concern (imported here so that
Celery finds them; their names stay ``policy.tasks.<name>``)."""

from policy.tasks import certification, closure, reports, rollups, taxes, villages

__all__ = ["certification", "closure", "reports", "rollups", "taxes", "villages"]
