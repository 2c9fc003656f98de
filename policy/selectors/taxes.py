"""The tax rules in force and the rates they give a line (the policy's low layer: the
orders app prices carts and checkouts with these).

The rules in force on a day are read in one query (with their categories' paths) and
cached until a rule changes (``tax_rules_changed`` bumps the version in the key).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from marketplace.money import money_round
from policy.models import CommissionRate, Payout, TaxAssessment, TaxPeriod, TaxRule

ZERO = Decimal("0")
_VERSION_KEY = "policy:tax-rules:version"


@dataclass(frozen=True)
class TaxRates:
    vat_rate: Decimal
    withholding_rate: Decimal


@dataclass(frozen=True)
class RuleInForce:
    pk: int
    kind: str
    levy: str
    rate: Decimal
    paths: tuple[str, ...]  # empty: every category
    exempt_paths: tuple[str, ...]
    sellers: str
    min_yearly_turnover: Decimal | None

    def specificity(self, category_path: str) -> int | None:
        """How closely the rule's scope fits the category (the length of the matching
        scope path, 0 for an unscoped rule), or None when the rule does not apply."""
        if any(category_path.startswith(path) for path in self.exempt_paths):
            return None
        if not self.paths:
            return 0
        matching = [len(path) for path in self.paths if category_path.startswith(path)]
        return max(matching) if matching else None

    def covers_seller(self, *, cross_border: bool, turnover: Decimal | None) -> bool:
        if self.sellers == TaxRule.Sellers.CROSS_BORDER and not cross_border:
            return False
        if self.sellers == TaxRule.Sellers.LOCAL and cross_border:
            return False
        if self.min_yearly_turnover is not None:
            return turnover is not None and turnover >= self.min_yearly_turnover
        return True


def tax_rules_changed() -> None:
    """Forget the cached rules (called by every write of a tax rule)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, timeout=None)


def in_force_on(day: date) -> Q:
    return Q(enabled=True, effective_from__lte=day) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )


def tax_rules_in_force(*, day: date | None = None) -> list[RuleInForce]:
    day = day or timezone.localdate()
    key = f"policy:tax-rules:{cache.get(_VERSION_KEY, 0)}:{day.isoformat()}"
    rules = cache.get(key)
    if rules is None:
        rules = [
            RuleInForce(
                pk=rule.pk,
                kind=rule.kind,
                levy=rule.levy,
                rate=rule.rate,
                paths=tuple(category.path for category in rule.categories.all()),
                exempt_paths=tuple(category.path for category in rule.exempt_categories.all()),
                sellers=rule.sellers,
                min_yearly_turnover=rule.min_yearly_turnover,
            )
            for rule in TaxRule.objects.filter(in_force_on(day))
            .prefetch_related("categories", "exempt_categories")
            .order_by("pk")
        ]
        cache.set(key, rules, timeout=3600)
    return rules


def tax_rates_for(
    *,
    rules: list[RuleInForce],
    category_path: str,
    cross_border: bool,
    turnover: Decimal | None = None,
) -> TaxRates:
    """The rates for one line: the most specific VAT rule that applies (none: 0), and
    the sum of the withholding rules that apply."""
    vat: tuple[int, Decimal] | None = None
    withholding = ZERO
    for rule in rules:
        fit = rule.specificity(category_path)
        if fit is None or not rule.covers_seller(cross_border=cross_border, turnover=turnover):
            continue
        if rule.kind == TaxRule.Kind.WITHHOLDING:
            withholding += rule.rate
        elif vat is None or fit > vat[0]:
            vat = (fit, rule.rate)
    return TaxRates(vat_rate=vat[1] if vat else ZERO, withholding_rate=withholding)


def turnover_needed(rules: list[RuleInForce]) -> bool:
    return any(rule.min_yearly_turnover is not None for rule in rules)


def tax_rule_register():
    """Every tax rule, with its categories, for the regulator's page."""
    return TaxRule.objects.prefetch_related("categories", "exempt_categories").order_by(
        "kind", "levy", "-effective_from", "pk"
    )


def tax_rule_get(*, pk: int) -> TaxRule:
    return get_object_or_404(TaxRule, pk=pk)


def period_bounds(period: date) -> tuple[date, datetime, datetime]:
    """The period's first day and its [start, end) instants in the site's time zone."""
    first = period.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone)
    return first, start, end


def month_of(year: int, month: int) -> date | None:
    """The period (its first day) a page's URL names, or None for no real month."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        return None
    return date(year, month, 1)


def tax_periods() -> list[dict]:
    """Every collected or requested period, newest first, with its totals per kind
    (one aggregate query and one for the periods)."""
    totals: dict = {}
    for row in (
        TaxAssessment.objects.values("period", "kind")
        .annotate(tax=Sum("tax"), cooperatives=Count("cooperative_id", distinct=True))
        .order_by()
    ):
        totals.setdefault(row["period"], {})[row["kind"]] = row
    return [
        {"record": record, "totals": totals.get(record.period, {})}
        for record in TaxPeriod.objects.order_by("-period")
    ]


def tax_period_get(*, period: date):
    return TaxPeriod.objects.filter(period=period).first()


def period_assessments(*, period: date) -> list[dict]:
    """One row per cooperative for a period: sales, returns, VAT and withholding."""
    rows: dict[int, dict] = {}
    for a in (
        TaxAssessment.objects.filter(period=period)
        .select_related("cooperative")
        .order_by("cooperative__legal_name", "cooperative_id", "kind")
    ):
        row = rows.setdefault(
            a.cooperative_id,
            {
                "cooperative": a.cooperative,
                "gross": a.gross,
                "returned": a.returned,
                "vat": ZERO,
                "withholding": ZERO,
                "lines": a.lines,
            },
        )
        row[a.kind] = a.tax
    payouts = {
        p.cooperative_id: p for p in Payout.objects.filter(period=period, cooperative_id__in=rows)
    }
    for cooperative_id, row in rows.items():
        row["payout"] = payouts.get(cooperative_id)
    return list(rows.values())


@dataclass(frozen=True)
class Statement:
    """One cooperative's period: gross - returns - commission - withheld = payout."""

    period: date
    gross: Decimal
    returned: Decimal
    commission_rate: Decimal
    commission: Decimal
    withheld: Decimal
    vat: Decimal
    payout_status: str
    payout_reference: str

    @property
    def commission_percent(self) -> Decimal:
        return (self.commission_rate * 100).normalize()

    @property
    def net_sales(self) -> Decimal:
        return self.gross - self.returned

    @property
    def payout(self) -> Decimal:
        return self.net_sales - self.commission - self.withheld


def cooperative_statements(*, cooperative_id: int) -> list[Statement]:
    """Every assessed period of a cooperative, newest first (three queries)."""
    payouts = {p.period: p for p in Payout.objects.filter(cooperative_id=cooperative_id)}
    rates = list(
        CommissionRate.objects.order_by("-effective_from").values_list("effective_from", "rate")
    )
    by_period: dict[date, dict[str, TaxAssessment]] = {}
    for a in TaxAssessment.objects.filter(cooperative_id=cooperative_id):
        by_period.setdefault(a.period, {})[a.kind] = a
    statements = []
    for period in sorted(by_period, reverse=True):
        kinds = by_period[period]
        any_kind = next(iter(kinds.values()))
        rate = next((rate for since, rate in rates if since <= period), ZERO)
        net = any_kind.gross - any_kind.returned
        payout = payouts.get(period)
        statements.append(
            Statement(
                period=period,
                gross=any_kind.gross,
                returned=any_kind.returned,
                commission_rate=rate,
                commission=money_round(net * rate),
                withheld=kinds["withholding"].tax if "withholding" in kinds else ZERO,
                vat=kinds["vat"].tax if "vat" in kinds else ZERO,
                payout_status=payout.status if payout else Payout.Status.PENDING,
                payout_reference=payout.reference if payout else "",
            )
        )
    return statements


def cooperative_statement(*, cooperative_id: int, period: date) -> Statement | None:
    return next(
        (s for s in cooperative_statements(cooperative_id=cooperative_id) if s.period == period),
        None,
    )
