"""Issue 9, the regulatory trail: every regulated write leaves its audit row in its own
transaction, and the records a regulator relies on cannot be erased."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db.models import ProtectedError
from django.urls import reverse

from catalog.services.categories import category_ensure
from catalog.services.products import product_create
from marketplace.models import AuditEvent, Province
from marketplace.services import regulator_grant, regulator_revoke
from orders.services.aftersales import return_request
from policy.models import Appeal, ListingDecision
from policy.services import appeals
from sellers import services as sellers
from sellers.models import Cooperative, Membership
from tests.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    deliver,
    force_login_with_mfa,
    listing,
    place_order,
    protect,
)

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def _only(action):
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


@pytest.fixture
def coop():
    cooperative = CooperativeFactory()
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    member = MembershipFactory(cooperative=cooperative).user
    return {"cooperative": cooperative, "manager": manager, "member": member}


def test_a_role_change_and_a_removal_are_audited_with_who_and_what(coop):
    membership = Membership.objects.get(user=coop["member"])
    sellers.membership_change_role(membership=membership, actor=coop["manager"], role="manager")
    event = _only(Action.MEMBER_ROLE_CHANGED)
    assert event.actor == coop["manager"]
    assert event.cooperative == coop["cooperative"]
    assert event.detail["from"] == "member" and event.detail["to"] == "manager"
    assert event.subject == coop["member"].full_name

    sellers.membership_remove(membership=membership, actor=coop["manager"])
    removed = _only(Action.MEMBER_REMOVED)
    assert removed.actor == coop["manager"] and removed.detail["member"] == coop["member"].pk


def test_a_refused_change_leaves_no_audit_row(coop):
    manager = Membership.objects.get(user=coop["manager"])
    with pytest.raises(sellers.LastManager):
        sellers.membership_change_role(membership=manager, actor=coop["manager"], role="member")
    with pytest.raises(sellers.LastManager):
        sellers.membership_remove(membership=manager, actor=coop["manager"])
    assert not AuditEvent.objects.filter(
        action__in=[Action.MEMBER_ROLE_CHANGED, Action.MEMBER_REMOVED]
    ).exists()


def test_invitations_sent_accepted_and_revoked_are_audited_without_the_address(coop):
    guest = UserFactory(email="siti.rahma@example.test")
    invitation = sellers.invitation_create(
        cooperative=coop["cooperative"], actor=coop["manager"], email=guest.email, role="member"
    )
    sent = _only(Action.INVITATION_SENT)
    assert sent.actor == coop["manager"] and sent.cooperative == coop["cooperative"]
    assert "siti.rahma" not in sent.subject and sent.subject.endswith("@example.test")

    sellers.invitation_accept(invitation=invitation, user=guest)
    accepted = _only(Action.INVITATION_ACCEPTED)
    assert accepted.actor == guest and accepted.detail["invitation"] == invitation.pk

    other = sellers.invitation_create(
        cooperative=coop["cooperative"],
        actor=coop["manager"],
        email="x@example.test",
        role="member",
    )
    sellers.invitation_revoke(invitation=other, actor=coop["manager"])
    sellers.invitation_revoke(invitation=other, actor=coop["manager"])  # already revoked
    assert _only(Action.INVITATION_REVOKED).detail["invitation"] == other.pk


def test_granting_and_removing_the_regulator_role_is_audited_once_each():
    admin, person = AdminFactory(), UserFactory()
    regulator_grant(user=person, actor=admin)
    regulator_grant(user=person, actor=admin)  # already one: nothing to record
    assert _only(Action.REGULATOR_GRANTED).actor == admin
    regulator_revoke(user=person, actor=admin)
    assert _only(Action.REGULATOR_REVOKED).detail["user"] == person.pk


def test_the_admin_user_form_records_the_regulator_role_and_the_edit(client):
    admin, person = AdminFactory(), UserFactory()
    group, _ = Group.objects.get_or_create(name="regulator")
    force_login_with_mfa(client, admin)
    url = reverse("admin:marketplace_user_change", args=[person.pk])
    response = client.post(
        url,
        {
            "email": person.email,
            "full_name": person.full_name,
            "display_name": "",
            "preferred_language": "",
            "is_active": "on",
            "groups": [group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    granted = _only(Action.REGULATOR_GRANTED)
    assert granted.actor == admin and granted.detail["user"] == person.pk
    edit = _only(Action.ADMIN_CHANGED)
    assert edit.actor == admin
    assert edit.subject == f"user #{person.pk}"  # never the account's email
    assert person.email not in str(edit.detail)


def test_an_administrators_addition_change_and_deletion_are_audited(client):
    admin = AdminFactory()
    force_login_with_mfa(client, admin)
    response = client.post(
        reverse("admin:marketplace_province_add"),
        {"name": "Test Province", "code": "ID-ZZ", "country": "ID", "is_active": "on"},
    )
    assert response.status_code == 302
    province = Province.objects.get(code="ID-ZZ")
    assert _only(Action.ADMIN_ADDED).detail["model"] == "marketplace.province"
    client.post(
        reverse("admin:marketplace_province_change", args=[province.pk]),
        {"name": "Renamed", "code": "ID-ZZ", "country": "ID", "is_active": "on"},
    )
    assert _only(Action.ADMIN_CHANGED).detail["id"] == province.pk
    client.post(reverse("admin:marketplace_province_delete", args=[province.pk]), {"post": "yes"})
    assert not Province.objects.filter(pk=province.pk).exists()
    assert _only(Action.ADMIN_DELETED).actor == admin


def test_registration_review_rule_and_appeal_are_audited():
    creator, regulator = UserFactory(), RegulatorFactory()
    cooperative = sellers.cooperative_create(
        creator=creator,
        legal_name="Koperasi Audit",
        registration_number="AHU-0001",
        country="ID",
        province=Province.objects.create(country="ID", code="ID-AU", name="Audit"),
        commune="Desa",
        member_count=10,
        story="A story.",
        contact_phone="+62 811 000",
    )
    assert _only(Action.COOPERATIVE_REGISTERED).actor == creator
    sellers.cooperative_reject(cooperative=cooperative, actor=regulator, reason="No licence")
    suspended = _only(Action.COOPERATIVE_STATUS_CHANGED)
    assert suspended.detail["to"] == Cooperative.Status.REJECTED
    assert suspended.actor == regulator

    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    rule = protect(textiles, regulator=regulator, title="Protect textiles")
    assert _only(Action.RULE_CHANGED).detail == {
        "rule": rule.pk,
        "change": "created",
        "kind": rule.kind,
        "active": True,
    }
    foreign = CooperativeFactory(country="CN", province=None, region="Guangdong")
    manager = MembershipFactory(cooperative=foreign, role=Membership.Role.MANAGER).user
    sarong = product_create(
        cooperative=foreign, actor=manager, category=textiles, title="Sarong", price=Decimal("9")
    )
    block = ListingDecision.objects.get(product=sarong, outcome="blocked")
    appeal = appeals.appeal_file(decision=block, actor=manager, statement="Made here.")
    assert _only(Action.APPEAL_FILED).cooperative == foreign
    appeals.appeal_decide(appeal=appeal, actor=regulator, grant=False, response="No.")
    decided = _only(Action.APPEAL_DECIDED)
    assert decided.detail["outcome"] == Appeal.Status.UPHELD and decided.actor == regulator


# --- Nothing on the trail can be erased -------------------------------------------


@pytest.fixture
def trail(coop):
    """A product, a cooperative, a rule and an order, each with its records."""
    regulator = RegulatorFactory()
    food = category_ensure(slug="food", name="Food")
    rule = protect(food, regulator=regulator, title="Protect food", legal_reference="R2")
    product = listing(
        coop["cooperative"],
        coop["manager"],
        food,
        title="Kopi",
        price="50000",
        stock=5,
        publish=True,
    )
    buyer = UserFactory()
    order = place_order(buyer, product)
    part = order.seller_orders.get()
    deliver(part, coop["manager"])
    line = part.lines.get()
    returned = return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Broken"
    )
    return {**coop, "product": product, "rule": rule, "order": order, "return": returned}


def test_no_record_of_the_trail_can_be_deleted_through_its_parent(trail):
    """Each delete path: a listing, a cooperative, an order, a return, a rule and the
    people who acted all keep their records, so the database refuses to delete them."""
    for parent in (
        trail["product"],
        trail["cooperative"],
        trail["order"],
        trail["return"],
        trail["rule"],
        trail["manager"],
    ):
        with pytest.raises(ProtectedError):
            parent.delete()


def test_the_admin_refuses_to_delete_or_edit_the_records_and_their_subjects(client, trail):
    force_login_with_mfa(client, AdminFactory())
    product, cooperative, rule = trail["product"], trail["cooperative"], trail["rule"]
    # Products, cooperatives and rules are archived, suspended or lifted, never deleted.
    for name, pk in (
        ("catalog_product", product.pk),
        ("sellers_cooperative", cooperative.pk),
        ("policy_listingrule", rule.pk),
    ):
        assert client.get(reverse(f"admin:{name}_delete", args=[pk])).status_code == 403
        assert (
            client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code
            == 403
        )
    # The records themselves are read-only.
    decision = ListingDecision.objects.filter(product=product).first()
    event = AuditEvent.objects.first()
    for name, pk in (("policy_listingdecision", decision.pk), ("marketplace_auditevent", event.pk)):
        assert (
            client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code
            == 403
        )
        assert client.post(reverse(f"admin:{name}_change", args=[pk]), {}).status_code == 403
    assert (
        product.status_changes.exists() and ListingDecision.objects.filter(pk=decision.pk).exists()
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
