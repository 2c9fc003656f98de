"""Inspections and sanctions (issue 10): a regulator records what an inspection found,
with private evidence; the cooperative sees findings and outcome, never the notes; the
sanctions ladder goes warning → watch list → suspension, and a skip needs a reason."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import Product
from catalog.selectors import visible_products
from catalog.services.categories import category_ensure
from marketplace.models import AuditEvent, OutgoingEmail
from policy.errors import InspectionRefused, NotAllowed, SanctionRefused
from policy.models import Inspection, InspectionEvidence, Recall, Sanction
from policy.services.inspections import inspection_outcome_done, inspection_record
from policy.services.recalls import recall_open
from policy.services.sanctions import sanction_issue, sanction_lift
from sellers.models import Cooperative
from tests.factories import (
    MembershipFactory,
    RegulatorFactory,
    force_login_with_mfa,
    listing,
    seller,
)

pytestmark = pytest.mark.django_db

Step = Sanction.Step
NOTES = "Inspector's private remark: the manager was evasive."


@pytest.fixture
def regulator():
    return RegulatorFactory()


@pytest.fixture
def gayo():
    cooperative, manager = seller("ID", legal_name="Koperasi Kopi Gayo")
    coffee = category_ensure(slug="coffee", name="Coffee")
    product = listing(
        cooperative, manager, coffee, title="Gayo arabica", price="85000", stock=9, publish=True
    )
    return cooperative, manager, product


def _png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _inspect(regulator, product, **overrides):
    fields = {
        "inspected_on": timezone.localdate(),
        "findings": [Inspection.Finding.FOOD_SAFETY],
        "outcome": Inspection.Outcome.RECALL,
        "notes": NOTES,
        **overrides,
    }
    return inspection_record(actor=regulator, product=product, **fields)


def test_an_inspection_keeps_its_findings_evidence_and_tells_the_managers(gayo, regulator):
    cooperative, manager, product = gayo
    pdf = SimpleUploadedFile("lab.pdf", b"%PDF-1.4 lab report", content_type="application/pdf")
    inspection = _inspect(regulator, product, evidence=[pdf, _png()])
    assert inspection.cooperative == cooperative and inspection.outcome_pending
    assert inspection.finding_labels == ["Food-safety breach"]
    files = list(inspection.evidence.all())
    assert [f.name for f in files] == ["lab.pdf", "photo.png"]
    # Private: kept under PRIVATE_MEDIA_ROOT, outside what /media/ serves.
    private, public = (
        Path(settings.PRIVATE_MEDIA_ROOT).resolve(),
        Path(settings.MEDIA_ROOT).resolve(),
    )
    for evidence in files:
        path = Path(evidence.file.path).resolve()
        assert path.is_relative_to(private) and not path.is_relative_to(public)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INSPECTION_RECORDED).exists()
    (email,) = OutgoingEmail.objects.filter(to=[manager.email])
    assert "Food-safety breach" in email.body and "Recall" in email.body
    assert NOTES not in email.body


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"), "is not a PDF"),
        (SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024)), "10 MB"),
        (SimpleUploadedFile("fake.png", b"\x89PNG\r\n\x1a\nnot really"), "is not a PDF"),
    ],
)
def test_a_hostile_evidence_file_refuses_the_inspection(gayo, regulator, upload, message):
    _cooperative, _manager, product = gayo
    with pytest.raises(InspectionRefused, match=message):
        _inspect(regulator, product, evidence=[_png(), upload])
    assert not Inspection.objects.exists() and not InspectionEvidence.objects.exists()


def test_an_inspection_with_bad_fields_changes_nothing(gayo, regulator):
    _cooperative, manager, product = gayo
    tomorrow = timezone.localdate() + timedelta(days=1)
    for overrides, message in (
        ({"inspected_on": tomorrow}, "future"),
        ({"findings": ["bribery"]}, "from the list"),
        ({"outcome": "jail"}, "outcome"),
        ({"notes": "a\x00b"}, "control characters"),
    ):
        with pytest.raises(InspectionRefused, match=message):
            _inspect(regulator, product, **overrides)
    with pytest.raises(NotAllowed):
        _inspect(manager, product)
    assert not Inspection.objects.exists()


def test_the_recall_an_inspection_asks_for_carries_its_outcome_out(gayo, regulator):
    _cooperative, _manager, product = gayo
    inspection = _inspect(regulator, product)
    recall_open(
        actor=regulator,
        product=product,
        inspection=inspection,
        hazard="Aflatoxin",
        risk="serious",
        measures="Withdrawn",
        buyer_action="dispose",
    )
    inspection.refresh_from_db()
    assert not inspection.outcome_pending and inspection.outcome_done_by == regulator
    other = _inspect(regulator, product, outcome=Inspection.Outcome.REVOKE_CERTIFICATE)
    inspection_outcome_done(inspection=other, actor=regulator)
    with pytest.raises(InspectionRefused, match="no outcome waiting"):
        inspection_outcome_done(inspection=other, actor=regulator)


def _sanction(cooperative, regulator, step, **kwargs):
    return sanction_issue(
        cooperative=cooperative, actor=regulator, step=step, reason="Unsafe storage", **kwargs
    )


def test_three_warnings_in_14_days_lead_to_the_watch_list_then_suspension(gayo, regulator):
    cooperative, manager, product = gayo
    for _ in range(3):
        _sanction(cooperative, regulator, Step.WARNING)
    with pytest.raises(SanctionRefused, match="next step for this cooperative is: Watch list"):
        _sanction(cooperative, regulator, Step.WARNING)
    watch = _sanction(cooperative, regulator, Step.WATCH_LIST)
    with pytest.raises(SanctionRefused, match="Suspension"):
        _sanction(cooperative, regulator, Step.WATCH_LIST)
    suspension = _sanction(cooperative, regulator, Step.SUSPENSION)
    cooperative.refresh_from_db()
    assert cooperative.status == Cooperative.Status.SUSPENDED
    assert not visible_products().filter(pk=product.pk).exists()  # listings hidden
    with pytest.raises(SanctionRefused, match="lift the suspension"):
        _sanction(cooperative, regulator, Step.WARNING)
    # Lifting the suspension reinstates the cooperative: its listing is back on sale.
    sanction_lift(sanction=suspension, actor=regulator, note="Storage rebuilt and checked.")
    cooperative.refresh_from_db()
    assert cooperative.status == Cooperative.Status.VERIFIED
    assert visible_products().filter(pk=product.pk).exists()
    assert Product.objects.get(pk=product.pk).status == Product.Status.ACTIVE
    sanction_lift(sanction=watch, actor=regulator, note="Six months without breach.")
    with pytest.raises(SanctionRefused, match="Only a watch list or a suspension in force"):
        sanction_lift(sanction=watch, actor=regulator, note="again")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SANCTION_ISSUED).count() == 5
    assert (
        OutgoingEmail.objects.filter(
            to=[manager.email], subject__startswith="Sanction from the regulator"
        ).count()
        == 5
    )


def test_warnings_older_than_14_days_do_not_count(gayo, regulator):
    cooperative, _manager, _product = gayo
    for _ in range(3):
        _sanction(cooperative, regulator, Step.WARNING)
    Sanction.objects.update(issued_at=timezone.now() - timedelta(days=15))
    assert _sanction(cooperative, regulator, Step.WARNING).step == Step.WARNING


def test_skipping_a_step_needs_a_reason(gayo, regulator):
    cooperative, _manager, _product = gayo
    with pytest.raises(SanctionRefused, match="say why you skip"):
        _sanction(cooperative, regulator, Step.SUSPENSION)
    cooperative.refresh_from_db()
    assert cooperative.status == Cooperative.Status.VERIFIED and not Sanction.objects.exists()
    skipped = _sanction(
        cooperative, regulator, Step.SUSPENSION, skip_reason="Toxic product sold knowingly."
    )
    assert skipped.skip_reason == "Toxic product sold knowingly."
    cooperative.refresh_from_db()
    assert cooperative.status == Cooperative.Status.SUSPENDED


def test_only_a_regulator_issues_sanctions(gayo):
    cooperative, manager, _product = gayo
    with pytest.raises(NotAllowed):
        _sanction(cooperative, manager, Step.WARNING)


def _regulator_client(regulator):
    client = Client()
    force_login_with_mfa(client, regulator)
    return client


def test_the_inspection_form_refuses_bad_files_and_the_evidence_stays_private(gayo, regulator):
    cooperative, manager, product = gayo
    client = _regulator_client(regulator)
    url = reverse("policy:inspect_product", args=[product.pk])
    base = {"inspected_on": timezone.localdate().isoformat(), "outcome": "recall", "notes": NOTES}
    bad = client.post(
        url,
        {
            **base,
            "findings": ["food_safety"],
            "evidence": [_png(), SimpleUploadedFile("a.exe", b"MZ\x90\x00")],
        },
    )
    assert bad.status_code == 200 and "is not a PDF, JPEG or PNG" in bad.content.decode()
    assert not Inspection.objects.exists()
    ok = client.post(url, {**base, "findings": ["food_safety", "labelling"], "evidence": [_png()]})
    inspection = Inspection.objects.get()
    assert ok.url == reverse("policy:inspection_detail", args=[inspection.pk])
    evidence = inspection.evidence.get()
    file_url = reverse("policy:inspection_evidence", args=[inspection.pk, evidence.pk])
    response = client.get(file_url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # Another inspection's id with this file's id: not found.
    other = _inspect(regulator, product)
    assert (
        client.get(reverse("policy:inspection_evidence", args=[other.pk, evidence.pk])).status_code
        == 404
    )

    # The cooperative's members see the findings and the outcome, never the notes.
    member = MembershipFactory(cooperative=cooperative).user
    for person in (manager, member):
        seller_client = Client()
        seller_client.force_login(person)
        page = seller_client.get(reverse("sellers:workspace")).content.decode()
        assert "Food-safety breach" in page and "Labelling" in page
        assert NOTES not in page and "photo.png" not in page
        assert seller_client.get(file_url).status_code in {302, 403, 404}


def test_the_sanctions_page_walks_the_ladder_and_shows_it_to_the_managers(gayo, regulator):
    cooperative, manager, _product = gayo
    client = _regulator_client(regulator)
    url = reverse("policy:cooperative_sanctions", args=[cooperative.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Next step" in page.content.decode()
    skipped = client.post(url, {"step": 3, "reason": "Fraud"})
    assert "say why you skip" in skipped.content.decode()
    for bad in (
        {"step": 9, "reason": "x"},
        {"step": "x", "reason": "x"},
        {"step": 1, "reason": "\x00"},
    ):
        assert client.post(url, bad).status_code == 200
    assert not Sanction.objects.exists()
    assert client.post(url, {"step": 1, "reason": "Dirty storage room"}).status_code == 302
    watched = client.post(url, {"step": 2, "reason": "Repeat breach", "skip_reason": "Third visit"})
    assert watched.status_code == 302
    watch = Sanction.objects.get(step=Step.WATCH_LIST)
    assert (
        client.get(reverse("policy:watch_list")).content.decode().count(cooperative.legal_name) == 1
    )
    lift = reverse("policy:sanction_lift", args=[watch.pk])
    assert client.post(lift, {"note": ""}).status_code == 302
    watch.refresh_from_db()
    assert watch.in_force  # an empty note lifts nothing
    client.post(lift, {"note": "Fixed"})
    watch.refresh_from_db()
    assert not watch.in_force

    seller_client = Client()
    seller_client.force_login(manager)
    workspace = seller_client.get(reverse("sellers:workspace")).content.decode()
    assert "Dirty storage room" in workspace and "Watch list" in workspace


def test_the_regulator_home_counts_every_queue(gayo, regulator):
    cooperative, _manager, product = gayo
    _inspect(regulator, product, outcome=Inspection.Outcome.SANCTION)
    for _ in range(3):
        _sanction(cooperative, regulator, Step.WARNING)
    _sanction(cooperative, regulator, Step.WATCH_LIST)
    recall_open(
        actor=regulator,
        product=product,
        hazard="Glass",
        risk="high",
        measures="Withdrawn",
        buyer_action="return",
    )
    overview = _regulator_client(regulator).get(reverse("policy:home")).context["overview"]
    assert (overview["open_recalls"], overview["inspections_pending"], overview["watch_list"]) == (
        1,
        1,
        1,
    )
    assert Recall.objects.count() == 1


def test_a_suspension_blocks_new_orders_to_the_cooperative(gayo, regulator):
    import uuid

    from orders.services.cart import CartError, cart_add, cart_get
    from orders.services.checkout import ItemsUnavailable, ShippingAddress, checkout_complete
    from tests.factories import UserFactory

    cooperative, _manager, product = gayo
    buyer = UserFactory()
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=product.pk, quantity=1)
    _sanction(cooperative, regulator, Step.SUSPENSION, skip_reason="Fraud proven.")
    with pytest.raises(ItemsUnavailable):
        checkout_complete(
            buyer=buyer,
            cart=cart,
            address=ShippingAddress(
                name="Siti",
                phone="+62 812 0000 0000",
                country="ID",
                province="Aceh",
                commune="",
                street="Jl. Merdeka 1",
            ),
            payment_method="on_delivery",
            token=uuid.uuid4(),
        )
    with pytest.raises(CartError, match="not for sale"):
        cart_add(cart=cart_get(user=UserFactory(), create=True), product_id=product.pk)
