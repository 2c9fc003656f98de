"""Payment providers. No real gateway is contacted: the default is cash or mobile money
paid on delivery (the cooperative records that it received the money); the sandbox
provider settles at once and exists for tests and demonstrations.

A real gateway is one more ``PaymentProvider`` registered in ``PROVIDERS``. Which ones
buyers may choose is the ``PAYMENT_PROVIDERS`` setting; the sandbox (which marks an
order paid with nothing paid) is refused by a system check unless ``DEBUG`` is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PaymentResult:
    paid_at: datetime | None
    reference: str = ""


class PaymentProvider:
    code: str
    label: str | Promise
    # Settles without any money moving: never to be offered in production.
    simulated: bool = False

    def charge(self, *, order) -> PaymentResult:
        raise NotImplementedError


class PayOnDelivery(PaymentProvider):
    code = "on_delivery"
    label = _("Cash or mobile money on delivery")

    def charge(self, *, order) -> PaymentResult:
        return PaymentResult(paid_at=None)


class SandboxProvider(PaymentProvider):
    code = "sandbox"
    label = _("Sandbox payment (testing)")
    simulated = True

    def charge(self, *, order) -> PaymentResult:
        return PaymentResult(paid_at=timezone.now(), reference=f"SANDBOX-{order.token}")


PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (PayOnDelivery(), SandboxProvider())}


class PaymentProviderDisabled(LookupError):
    """The code names no provider, or one this deployment does not offer."""


def payment_providers_enabled() -> list[PaymentProvider]:
    """The providers buyers may choose, in the order of the setting."""
    return [PROVIDERS[code] for code in settings.PAYMENT_PROVIDERS if code in PROVIDERS]


def payment_provider(code: str) -> PaymentProvider:
    """The enabled provider named ``code``; raises ``PaymentProviderDisabled`` otherwise."""
    if code not in settings.PAYMENT_PROVIDERS or code not in PROVIDERS:
        raise PaymentProviderDisabled(code)
    return PROVIDERS[code]


@checks.register(checks.Tags.security)
def check_payment_providers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    unknown = [code for code in settings.PAYMENT_PROVIDERS if code not in PROVIDERS]
    if unknown:
        errors.append(
            checks.Error(
                f"PAYMENT_PROVIDERS names unknown providers: {', '.join(unknown)}.",
                hint=f"Known providers: {', '.join(PROVIDERS)}.",
                id="orders.E001",
            )
        )
    if not payment_providers_enabled():
        errors.append(checks.Error("PAYMENT_PROVIDERS enables no provider.", id="orders.E002"))
    simulated = [p.code for p in payment_providers_enabled() if p.simulated]
    if simulated and not settings.DEBUG:
        errors.append(
            checks.Error(
                f"PAYMENT_PROVIDERS enables {', '.join(simulated)} with DEBUG off: "
                "it marks orders paid with nothing paid.",
                hint="Remove it from PAYMENT_PROVIDERS in production.",
                id="orders.E003",
            )
        )
    return errors
