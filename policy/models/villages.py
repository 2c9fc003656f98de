"""Digital villages: communes whose cooperatives sell enough, and are enough, to earn the
label (the Taobao-village definition, with thresholds in settings). A commune is where
cooperatives say they are; regulators give it a household count."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    province = models.ForeignKey("marketplace.Province", on_delete=models.CASCADE, related_name="+")
    # As cooperatives write it, matched without regard to case or surrounding spaces.
    name = models.CharField(_("commune"), max_length=120)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    households_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    households_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(
                models.F("province"), models.functions.Lower("name"), name="commune_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DigitalVillage(models.Model):
    """One commune's figures for one year against the thresholds, and whether it earned
    the label. The yearly job rewrites a year's rows whole."""

    year = models.PositiveSmallIntegerField(_("year"))
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="years")
    sales = models.DecimalField(_("sales in the year"), max_digits=18, decimal_places=2)
    shops = models.PositiveIntegerField(_("cooperatives"))
    active_shops = models.PositiveIntegerField(_("active cooperatives"))
    households = models.PositiveIntegerField(_("households"), null=True)
    labelled = models.BooleanField(_("digital village"), default=False)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("digital village")
        verbose_name_plural = _("digital villages")
        constraints = [
            models.UniqueConstraint(fields=["year", "commune"], name="digitalvillage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.commune_id} {self.labelled}"
