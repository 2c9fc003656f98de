"""Payment providers. No real gateway is contacted: the default is cash or mobile money
paid on delivery (the cooperative records that it received the money); the sandbox
provider settles at once and exists for tests and demonstrations.

A real gateway is one more ``PaymentProvider`` registered in ``PROVIDERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PaymentResult:
    paid_at: datetime | None
    reference: str = ""


class PaymentProvider:
    code: str
    label: str

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

    def charge(self, *, order) -> PaymentResult:
        return PaymentResult(paid_at=timezone.now(), reference=f"SANDBOX-{order.token}")


PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (PayOnDelivery(), SandboxProvider())}


def payment_provider(code: str) -> PaymentProvider:
    return PROVIDERS[code]
