"""The one row that listing writes and re-evaluations serialise on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """A single row (``id = 1``): every listing write holds it ``FOR SHARE`` while it
    decides and commits, every rule change and re-evaluation takes it ``FOR UPDATE``
    and bumps ``version``. So a re-evaluation waits for the listing writes already
    deciding, and a listing write that starts during a re-evaluation decides after it,
    against the rules it enforced: no order of commits leaves a forbidden listing live.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"policy v{self.version}"
