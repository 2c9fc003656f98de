"""Stored monthly reports: a month's figures, read from the rollups and the regulator's
records by a job and kept as they were built, so that a report downloaded next year says
what it said when it was filed. Rebuilding a month replaces its report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # The first day of the month reported on.
    period = models.DateField(_("period"), unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # {"sections": [{"name", "title", "columns", "rows"}], "currency": …} — plain numbers
    # and strings, as they were when the report was built.
    figures = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.status}"
