"""The regulator's audit page: filters, pages without counting, a CSV that cannot run
formulas, and no buyer's personal data."""

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.models import AuditEvent
from sellers import services as sellers
from sellers.models import Membership
from tests.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
URL = reverse("policy:audit")
CSV_URL = reverse("policy:audit_export")


@pytest.fixture
def regulator(client):
    user = RegulatorFactory(full_name="Rina Regulator")
    force_login_with_mfa(client, user)
    return user


def _events(n, **fields):
    start = timezone.now() - timedelta(days=1)
    AuditEvent.objects.bulk_create(
        AuditEvent(created_at=start + timedelta(seconds=i), subject=f"event {i}", **fields)
        for i in range(n)
    )


def _subjects(response):
    return [event.subject for event in response.context["page"].items]


def test_only_regulators_and_administrators_open_the_trail(client):
    assert client.get(URL).status_code == 302  # to sign in
    for outsider in (UserFactory(), MembershipFactory(role=Membership.Role.MANAGER).user):
        client.force_login(outsider)
        assert client.get(URL).status_code == 403
        assert client.get(CSV_URL).status_code == 403
    force_login_with_mfa(client, AdminFactory())
    assert client.get(URL).status_code == 200


def test_pages_walk_the_whole_trail_newest_first_once_each(client, regulator):
    _events(120, action=Action.RULE_CHANGED)
    seen, url = [], URL
    while True:
        response = client.get(url)
        assert response.status_code == 200
        seen += _subjects(response)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        url = f"{URL}?{urlencode({'after': cursor})}"
    assert seen == [f"event {i}" for i in reversed(range(120))]


def test_a_later_page_costs_the_same_queries_and_never_counts(client, regulator):
    _events(200, action=Action.RULE_CHANGED)
    first = client.get(URL)
    cursor = first.context["page"].next_cursor
    with CaptureQueriesContext(connection) as later:
        response = client.get(URL, {"after": cursor})
    assert len(response.context["page"].items) == 50
    assert not any("COUNT(" in q["sql"].upper() for q in later.captured_queries)
    assert not any("OFFSET" in q["sql"].upper() for q in later.captured_queries)
    with CaptureQueriesContext(connection) as first_again:
        client.get(URL)
    assert len(later.captured_queries) == len(first_again.captured_queries)


def test_the_page_reads_a_bounded_number_of_queries(
    client, regulator, django_assert_max_num_queries
):
    _events(60, action=Action.MEMBER_REMOVED, cooperative=CooperativeFactory(), actor=regulator)
    with django_assert_max_num_queries(12):
        response = client.get(
            URL, {"actor": "Rina", "cooperative": "Koperasi", "action": "member_removed"}
        )
    assert len(response.context["page"].items) == 50


def test_filters_by_action_actor_cooperative_and_period(client, regulator):
    alpha = CooperativeFactory(legal_name="Koperasi Alpha", registration_number="AHU-1")
    beta = CooperativeFactory(legal_name="Koperasi Beta")
    manager = MembershipFactory(
        cooperative=alpha, role=Membership.Role.MANAGER, user=UserFactory(full_name="Made Wirawan")
    ).user
    member = Membership.objects.get(pk=MembershipFactory(cooperative=alpha).pk)
    sellers.membership_change_role(membership=member, actor=manager, role="manager")
    sellers.cooperative_suspend(cooperative=beta, actor=regulator, reason="Fraud")
    old = AuditEvent.objects.create(
        action=Action.RULE_CHANGED,
        subject="old rule",
        created_at=timezone.now() - timedelta(days=40),
    )

    def subjects(**query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return {e.subject for e in response.context["page"].items}

    assert subjects(action="cooperative_status_changed") == {"Koperasi Beta"}
    assert subjects(actor="made wirawan") == {member.user.full_name}
    assert subjects(actor=manager.email) == {member.user.full_name}
    assert subjects(cooperative="AHU-1") == {member.user.full_name}
    assert subjects(cooperative="beta") == {"Koperasi Beta"}
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    assert subjects(since=day, until=day) == {old.subject}
    assert old.subject not in subjects(since=timezone.localdate().isoformat())


@pytest.mark.parametrize(
    "query",
    [
        {"after": "not-a-cursor"},
        {"after": "2026-01-01T00:00:00~" + "9" * 5000},
        {"after": "\x00"},
        {"since": "2026-13-45"},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"actor": "x" * 100_000},
        {"action": "delete_everything"},
    ],
)
def test_tampered_filters_get_a_clear_error_not_a_server_error(client, regulator, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["page"] is None
    assert client.get(CSV_URL, query).status_code == 400


def test_the_csv_states_its_filters_and_cannot_run_a_formula(client, regulator):
    cooperative = CooperativeFactory(legal_name='=HYPERLINK("http://evil.example")')
    AuditEvent.objects.create(
        action=Action.COOPERATIVE_STATUS_CHANGED,
        actor=regulator,
        cooperative=cooperative,
        subject="@SUM(1+1)",
        detail={"reason": "+cmd|' /C calc'!A0"},
    )
    response = client.get(CSV_URL, {"action": "cooperative_status_changed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Action", "Cooperative status changed"] in rows  # the filter, stated
    event_row = rows[-1]
    assert event_row[2] == "Rina Regulator"
    for cell in event_row:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert event_row[3] == '\'=HYPERLINK("http://evil.example")'
    assert event_row[4] == "'@SUM(1+1)"


def test_no_buyers_email_appears_on_the_page_or_in_the_csv(client, regulator):
    buyer = UserFactory(email="buyer.private@example.test", full_name="")
    cooperative = CooperativeFactory()
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    invitation = sellers.invitation_create(
        cooperative=cooperative, actor=manager, email=buyer.email, role="member"
    )
    sellers.invitation_accept(invitation=invitation, user=buyer)
    admin = Client()
    force_login_with_mfa(admin, AdminFactory())
    changed = admin.post(
        reverse("admin:marketplace_user_change", args=[buyer.pk]),
        {
            "email": buyer.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert changed.status_code == 302
    assert AuditEvent.objects.filter(action=Action.ADMIN_CHANGED).exists()
    page = client.get(URL).content.decode()
    exported = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8-sig")
    assert AuditEvent.objects.filter(action=Action.INVITATION_ACCEPTED).exists()
    for text in (page, exported):
        assert "buyer.private" not in text
