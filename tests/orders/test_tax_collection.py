"""Tax collection (issue 11): a month's completed sales and the returns accepted in it,
summed per cooperative into assessments, hand-computed; a rerun changes nothing, a run
stopped half-way completes on rerun, and a remitted month is frozen.

Rounding: a line's tax is rounded when the order is placed; a period's returned tax is
prorated and rounded once per assessment (``marketplace.money.money_round``).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import ReturnLine, ReturnRequest, SellerOrder, SellerOrderStatusChange
from orders.services.aftersales import return_decide, return_request
from orders.services.assessment import period_of
from orders.services.fulfilment import seller_order_cash_received
from policy.errors import TaxRuleRefused
from policy.models import TaxAssessment, TaxPeriod
from policy.services import collection
from policy.services.collection import period_remit, taxes_collect
from tests.factories import RegulatorFactory, completed_on, deliver

pytestmark = pytest.mark.django_db

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _completed(part: SellerOrder, manager, on: date, *, given_period: bool = True) -> SellerOrder:
    """Delivered and paid (cash on delivery), dated ``on``."""
    part = deliver(part, manager)
    part = seller_order_cash_received(seller_order=part, actor=manager)
    return completed_on(part, _at(on), given_period=given_period)


def _accepted_on(request: ReturnRequest, on: date) -> None:
    """Date an accepted return ``on``, as accepting it then would have."""
    ReturnRequest.objects.filter(pk=request.pk).update(decided_at=_at(on))
    ReturnLine.objects.filter(return_request=request).update(tax_period=period_of(_at(on)))


@pytest.fixture
def october(cooperative, make_product, buyer, place):
    """Koperasi Alpha sells, in October: 3 jars at 10 000 and a pot at 25 000 (VAT 11 %)."""
    alpha = cooperative("Koperasi Alpha")
    jar = make_product(cooperative=alpha, title="Jar", price=Decimal("10000"))
    pot = make_product(cooperative=alpha, title="Pot", price=Decimal("25000"))
    part = place(buyer, {jar: 3, pot: 1}).seller_orders.get()
    part = _completed(part, alpha.manager, date(2026, 10, 20))
    return alpha, part, jar


def _assessment(cooperative, period, kind="vat"):
    a = TaxAssessment.objects.get(cooperative=cooperative, period=period, kind=kind)
    return a.gross, a.returned, a.tax, a.lines


def test_a_month_is_assessed_from_its_completed_sales(october):
    alpha, _part, _jar = october
    result = taxes_collect(period=OCTOBER)
    # Net 30 000 + 25 000 = 55 000; VAT 3 300 + 2 750 = 6 050; nothing withheld in Indonesia.
    assert _assessment(alpha, OCTOBER) == (Decimal("55000"), Decimal("0"), Decimal("6050"), 2)
    assert _assessment(alpha, OCTOBER, "withholding")[2] == Decimal("0")
    assert (result.cooperatives, result.parts) == (1, 1)  # one order part, its two lines
    assert set(SellerOrder.objects.values_list("tax_period", flat=True)) == {OCTOBER}


def test_a_rerun_changes_nothing(october):
    from marketplace.models import AuditEvent

    assert taxes_collect(period=OCTOBER).changed == 2  # its VAT and its withholding rows
    before = (
        list(TaxAssessment.objects.order_by("pk").values()),
        list(TaxPeriod.objects.values()),
        AuditEvent.objects.count(),
    )
    again = taxes_collect(period=OCTOBER)
    assert (again.parts, again.changed) == (1, 0)
    after = (
        list(TaxAssessment.objects.order_by("pk").values()),
        list(TaxPeriod.objects.values()),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_return_accepted_next_month_is_netted_next_month(october, buyer, settings):
    settings.RETURN_WINDOW_DAYS = 365  # the sale is dated October, the return made today
    alpha, part, jar = october
    taxes_collect(period=OCTOBER)
    line = part.lines.get(product=jar)
    request = return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Cracked"
    )
    return_decide(return_request=request, actor=alpha.manager, accept=True, restock_items=True)
    _accepted_on(request, date(2026, 11, 3))
    taxes_collect(period=NOVEMBER)
    # One jar of three back: 10 000 returned, a third of 3 300 VAT = 1 100 back.
    assert _assessment(alpha, NOVEMBER) == (Decimal("0"), Decimal("10000"), Decimal("-1100"), 0)
    assert _assessment(alpha, OCTOBER) == (Decimal("55000"), Decimal("0"), Decimal("6050"), 2)


def test_a_run_stopped_half_way_completes_on_rerun(
    cooperative, make_product, buyer, place, monkeypatch
):
    coops = [cooperative(f"Koperasi {n}") for n in range(3)]
    for n, coop in enumerate(coops):
        product = make_product(cooperative=coop, price=Decimal(10000 * (n + 1)))
        _completed(place(buyer, {product: 2}).seller_orders.get(), coop.manager, date(2026, 10, 5))
    real = collection._assess
    calls = []

    def dies_on_the_second_batch(ids, period):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(ids, period)

    monkeypatch.setattr(collection, "_assess", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        taxes_collect(period=OCTOBER, batch=1)
    assert TaxAssessment.objects.filter(kind="vat").count() == 1  # the first batch only
    monkeypatch.setattr(collection, "_assess", real)
    taxes_collect(period=OCTOBER, batch=1)
    # 2 x 10 000, 2 x 20 000, 2 x 30 000 at 11 %: 2 200, 4 400, 6 600.
    assert sorted(TaxAssessment.objects.filter(kind="vat").values_list("gross", "tax")) == [
        (Decimal("20000"), Decimal("2200")),
        (Decimal("40000"), Decimal("4400")),
        (Decimal("60000"), Decimal("6600")),
    ]


def test_a_remitted_month_is_frozen_and_late_sales_go_to_the_next(
    october, make_product, buyer, place
):
    alpha, _part, _jar = october
    regulator = RegulatorFactory()
    taxes_collect(period=OCTOBER)
    with pytest.raises(TaxRuleRefused, match="payment reference"):
        period_remit(period=OCTOBER, actor=regulator, reference=" ")
    period_remit(period=OCTOBER, actor=regulator, reference="SSP-2026-10-001")
    assert TaxPeriod.objects.get(period=OCTOBER).status == TaxPeriod.Status.REMITTED
    with pytest.raises(TaxRuleRefused, match="frozen"):
        taxes_collect(period=OCTOBER)
    # Completed in October without a period (before periods were given at completion):
    # the next collection takes it, never the frozen October.
    late = make_product(cooperative=alpha, title="Late jar", price=Decimal("10000"))
    late_part = place(buyer, {late: 1}).seller_orders.get()
    _completed(late_part, alpha.manager, date(2026, 10, 30), given_period=False)
    taxes_collect(period=NOVEMBER)
    assert _assessment(alpha, NOVEMBER) == (Decimal("10000"), Decimal("0"), Decimal("1100"), 1)
    assert _assessment(alpha, OCTOBER) == (Decimal("55000"), Decimal("0"), Decimal("6050"), 2)
    assert SellerOrder.objects.get(pk=late_part.pk).tax_period == NOVEMBER


def test_a_sale_is_given_the_month_it_completes_in(cooperative, make_product, buyer, place):
    """Delivered and paid, whichever comes last: the part is stamped then, with the month
    that counts it; delivered and not paid yet, it waits."""
    alpha = cooperative("Koperasi Alpha")
    jar = make_product(cooperative=alpha, title="Jar", price=Decimal("10000"), stock=10)
    this_month = timezone.localdate().replace(day=1)

    cash = deliver(place(buyer, {jar: 1}).seller_orders.get(), alpha.manager)
    assert (cash.completed_at, cash.tax_period) == (None, None)  # the money is not in yet
    cash = seller_order_cash_received(seller_order=cash, actor=alpha.manager)
    cash.refresh_from_db()
    assert cash.completed_at is not None and cash.tax_period == this_month

    online = place(buyer, {jar: 1}, payment_method="sandbox").seller_orders.get()
    online = deliver(online, alpha.manager)  # paid at checkout: complete on delivery
    online.refresh_from_db()
    assert online.completed_at is not None and online.tax_period == this_month

    request = return_request(
        seller_order=online, buyer=buyer, quantities={online.lines.get().pk: 1}, reason="Broken"
    )
    return_decide(return_request=request, actor=alpha.manager, accept=True, restock_items=False)
    assert set(ReturnLine.objects.values_list("tax_period", flat=True)) == {this_month}


def test_a_month_not_ended_is_refused_and_sales_not_completed_wait(
    october, make_product, buyer, place
):
    alpha, _part, _jar = october
    with pytest.raises(TaxRuleRefused, match="once it has ended"):
        taxes_collect(period=timezone.localdate())
    shipped = make_product(cooperative=alpha, title="Unpaid", price=Decimal("5000"))
    part = deliver(place(buyer, {shipped: 1}).seller_orders.get(), alpha.manager)  # not paid
    SellerOrderStatusChange.objects.filter(seller_order=part).update(
        created_at=_at(date(2026, 10, 9))
    )
    taxes_collect(period=OCTOBER)
    part.refresh_from_db()
    assert part.tax_period is None


def test_the_command_collects_a_month(october, capsys):
    call_command("collect_taxes", period="2026-10")
    assert "2026-10: 1 cooperatives, 1 order parts" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("collect_taxes", period="October")


def _regulator_client():
    from django.test import Client

    from tests.factories import force_login_with_mfa

    client = Client()
    force_login_with_mfa(client, RegulatorFactory())
    return client


def test_the_regulator_collects_remits_and_downloads_a_month(
    october, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    from django.urls import reverse

    alpha, _part, _jar = october
    alpha.legal_name = '=HYPERLINK("http://evil")'
    alpha.save(update_fields=["legal_name"])
    client = _regulator_client()
    kwargs = {"year": 2026, "month": 10}
    assert client.get(reverse("policy:tax_periods")).status_code == 200
    # A tampered button changes nothing; the real one runs the collection (in-process here).
    client.post(reverse("policy:tax_period_collect", kwargs=kwargs), {"confirm": "x\x00"})
    assert not TaxAssessment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, in-process
        client.post(reverse("policy:tax_period_collect", kwargs=kwargs), {"confirm": "collect"})
    page = client.get(reverse("policy:tax_period", kwargs=kwargs))
    assert page.context["totals"]["vat"] == Decimal("6050")
    client.post(reverse("policy:tax_period_remit", kwargs=kwargs), {"reference": "a" * 81})
    assert TaxPeriod.objects.get(period=OCTOBER).status == TaxPeriod.Status.OPEN
    client.post(reverse("policy:tax_period_remit", kwargs=kwargs), {"reference": "SSP-77"})
    assert TaxPeriod.objects.get(period=OCTOBER).reference == "SSP-77"

    csv_text = b"".join(
        client.get(reverse("policy:tax_period_csv", kwargs=kwargs)).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    assert "55000.00,0.00,6050.00,0.00" in csv_text
    xlsx = client.get(reverse("policy:tax_period_xlsx", kwargs=kwargs))
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        names = book.namelist()
        strings = (
            book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
        )
    assert "<f>" not in sheet  # no formula anywhere
    assert "'=HYPERLINK" in (strings + sheet)
    assert ">6050<" in sheet
    thirteenth = reverse("policy:tax_period", kwargs={"year": 2026, "month": 13})
    assert client.get(thirteenth).status_code == 404


def test_a_cooperative_statement_adds_up_and_payouts_need_a_tax_identifier(october):
    from django.test import Client
    from django.urls import reverse

    from marketplace.identifiers import tax_identifier_valid
    from policy.models import Payout
    from policy.selectors.taxes import cooperative_statement
    from policy.services.collection import commission_set, payout_decide

    alpha, _part, _jar = october
    regulator = RegulatorFactory()
    commission_set(rate=Decimal("0.05"), effective_from=date(2026, 1, 1), actor=None)
    taxes_collect(period=OCTOBER)
    statement = cooperative_statement(cooperative_id=alpha.pk, period=OCTOBER)
    # 55 000 sales, no returns, 5 % commission = 2 750, nothing withheld: 52 250 paid.
    assert (statement.gross, statement.commission, statement.withheld, statement.payout) == (
        Decimal("55000"),
        Decimal("2750"),
        Decimal("0"),
        Decimal("52250"),
    )
    # The cooperative reads it, line by line; another cooperative's member cannot.
    member = Client()
    member.force_login(alpha.member)
    page = member.get(reverse("orders:statement", args=[2026, 10]))
    assert page.status_code == 200
    assert [row["net"] for row in page.context["rows"]] == [Decimal("30000"), Decimal("25000")]
    csv_text = b"".join(
        member.get(reverse("orders:statement_csv", args=[2026, 10])).streaming_content
    ).decode("utf-8-sig")
    assert "Payout,52250.00" in csv_text
    assert member.get(reverse("orders:statement", args=[2026, 9])).status_code == 404

    # No release without a valid tax identifier; held needs a reason.
    alpha.tax_identifier = "12"
    alpha.save(update_fields=["tax_identifier"])
    with pytest.raises(TaxRuleRefused, match="tax identifier"):
        payout_decide(
            cooperative=alpha, period=OCTOBER, actor=regulator, release=True, reference="TRX-1"
        )
    with pytest.raises(TaxRuleRefused, match="why the payout is held"):
        payout_decide(cooperative=alpha, period=OCTOBER, actor=regulator, release=False)
    alpha.tax_identifier = "01.234.567.8-901.000"
    alpha.save(update_fields=["tax_identifier"])
    payout = payout_decide(
        cooperative=alpha, period=OCTOBER, actor=regulator, release=True, reference="TRX-1"
    )
    assert (payout.status, payout.amount) == (Payout.Status.RELEASED, Decimal("52250"))
    assert cooperative_statement(cooperative_id=alpha.pk, period=OCTOBER).payout_status == (
        "released"
    )
    assert tax_identifier_valid(country="ID", value="01.234.567.8-901.000")
    assert tax_identifier_valid(country="VN", value="0101234567-001")
    assert not tax_identifier_valid(country="VN", value="01012")
    assert not tax_identifier_valid(country="BI", value="40000")


def test_an_administrator_sets_the_commission_from_a_day_on_and_it_is_audited(client):
    """A new rate is added in the admin through the service (audited); a past day or a
    rate above half of the sales is refused; a rate in the history cannot be edited."""
    from datetime import timedelta

    from django.urls import reverse

    from marketplace.audit import Action
    from marketplace.models import AuditEvent
    from policy.models import CommissionRate
    from tests.factories import AdminFactory, force_login_with_mfa

    admin = AdminFactory()
    force_login_with_mfa(client, admin)
    add = reverse("admin:policy_commissionrate_add")
    tomorrow = timezone.localdate() + timedelta(days=1)
    for rate, day in (("0.9", tomorrow), ("0.07", date(2020, 1, 1)), ("x\x00", tomorrow)):
        page = client.post(add, {"rate": rate, "effective_from": day.isoformat()})
        assert page.status_code == 200 and page.context["adminform"].form.errors
    assert not CommissionRate.objects.exists()

    page = client.post(add, {"rate": "0.07", "effective_from": tomorrow.isoformat()})
    assert page.status_code == 302
    commission = CommissionRate.objects.get()
    assert (commission.rate, commission.effective_from, commission.set_by) == (
        Decimal("0.07"),
        tomorrow,
        admin,
    )
    event = AuditEvent.objects.get(action=Action.COMMISSION_CHANGED)
    assert event.actor == admin and event.detail["rate"] == "0.07"
    change = reverse("admin:policy_commissionrate_change", args=[commission.pk])
    client.post(change, {"rate": "0.01", "effective_from": tomorrow.isoformat()})
    commission.refresh_from_db()
    assert commission.rate == Decimal("0.07")
