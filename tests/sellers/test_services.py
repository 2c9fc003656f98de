"""Cooperative services: onboarding, status moves and their trail, members, invitations."""

import threading
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from marketplace.roles import Role, user_roles
from sellers import selectors, services
from sellers.models import Cooperative, CooperativeStatusChange, Membership
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
    cooperative_register,
)

pytestmark = pytest.mark.django_db
Status = Cooperative.Status


def _create(creator, **overrides):
    return cooperative_register(creator, **overrides)


def test_creator_becomes_manager_of_a_pending_cooperative_and_the_trail_starts():
    user = UserFactory()
    cooperative = _create(user)
    assert cooperative.status == Status.PENDING
    assert Membership.objects.get(user=user, cooperative=cooperative).is_manager
    assert Role.MANAGER in user_roles(user)
    assert [(c.from_status, c.to_status) for c in cooperative.status_changes.all()] == [
        ("", Status.PENDING)
    ]


def test_cross_border_is_derived_from_the_country(settings):
    local = _create(UserFactory())
    foreign = _create(
        UserFactory(), registration_number="X-1", country="MY", province=None, region="Johor"
    )
    assert not local.is_cross_border
    assert foreign.is_cross_border
    settings.MARKETPLACE_COUNTRY = "MY"
    assert foreign.is_cross_border is False


def test_a_local_cooperative_needs_a_home_province_and_a_foreign_one_a_region():
    with pytest.raises(ValidationError) as local:
        _create(UserFactory(), province=None)
    assert "province" in local.value.error_dict
    with pytest.raises(ValidationError) as foreign:
        _create(UserFactory(), country="MY", province=None, region="")
    assert "region" in foreign.value.error_dict
    with pytest.raises(ValidationError):
        _create(UserFactory(), province=ProvinceFactory(country="VN", code="VN-01"))


def test_duplicate_registration_in_the_same_country_is_refused_and_nothing_is_saved():
    _create(UserFactory())
    before = Cooperative.objects.count()
    with pytest.raises(services.DuplicateRegistration):
        _create(UserFactory(), legal_name="Another name")
    assert Cooperative.objects.count() == before
    # The same number in another country is another registry.
    _create(UserFactory(), country="MY", province=None, region="Johor")


def test_regulator_verifies_and_every_move_is_recorded_and_emailed_to_managers(
    django_capture_on_commit_callbacks,
):
    manager = UserFactory(email="boss@example.test")
    cooperative = _create(manager)
    regulator = RegulatorFactory()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cooperative_verify(cooperative=cooperative, actor=regulator, reason="ok")
        services.cooperative_suspend(cooperative=cooperative, actor=regulator, reason="probe")
        services.cooperative_reinstate(cooperative=cooperative, actor=regulator)

    cooperative.refresh_from_db()
    assert cooperative.status == Status.VERIFIED
    trail = list(
        CooperativeStatusChange.objects.filter(cooperative=cooperative)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status", "actor", "reason")
    )
    assert trail[1:] == [
        (Status.PENDING, Status.VERIFIED, regulator.pk, "ok"),
        (Status.VERIFIED, Status.SUSPENDED, regulator.pk, "probe"),
        (Status.SUSPENDED, Status.VERIFIED, regulator.pk, ""),
    ]
    assert [m.to for m in mail.outbox] == [["boss@example.test"]] * 3
    assert "probe" in mail.outbox[1].body


@pytest.mark.parametrize(
    ("start", "service"),
    [
        (Status.PENDING, services.cooperative_suspend),
        (Status.PENDING, services.cooperative_reinstate),
        (Status.VERIFIED, services.cooperative_verify),
        (Status.VERIFIED, services.cooperative_reject),
        (Status.REJECTED, services.cooperative_verify),
        (Status.SUSPENDED, services.cooperative_reject),
    ],
)
def test_illegal_status_jumps_are_refused_and_change_nothing(start, service):
    cooperative = CooperativeFactory(status=start, story="s", contact_email="c@x.test")
    with pytest.raises(services.InvalidTransition):
        service(cooperative=cooperative, actor=RegulatorFactory(), reason="because")
    cooperative.refresh_from_db()
    assert cooperative.status == start
    assert not cooperative.status_changes.exists()


def test_reject_and_suspend_need_a_reason():
    cooperative = _create(UserFactory())
    with pytest.raises(services.CooperativeError):
        services.cooperative_reject(cooperative=cooperative, actor=RegulatorFactory(), reason=" ")
    cooperative.refresh_from_db()
    assert cooperative.status == Status.PENDING


def test_a_seller_cannot_verify_itself_even_when_it_is_also_a_regulator():
    manager = RegulatorFactory()
    cooperative = _create(manager)
    with pytest.raises(services.NotAllowed):
        services.cooperative_verify(cooperative=cooperative, actor=manager)
    with pytest.raises(services.NotAllowed):
        services.cooperative_verify(cooperative=cooperative, actor=UserFactory())
    cooperative.refresh_from_db()
    assert cooperative.status == Status.PENDING


def test_a_foreign_cooperative_needs_its_licence_before_verification():
    manager = UserFactory()
    cooperative = _create(
        manager,
        country="CN",
        province=None,
        region="Guangdong",
        registration_number="91440101MA59UQ7788",
        licence=False,
    )
    regulator = RegulatorFactory()
    with pytest.raises(services.CooperativeError, match="licence"):
        services.cooperative_verify(cooperative=cooperative, actor=regulator)
    services.cooperative_attach_licence(
        cooperative=cooperative,
        actor=manager,
        upload=SimpleUploadedFile("l.pdf", b"%PDF-1.7\n...", content_type="application/pdf"),
    )
    services.cooperative_verify(cooperative=cooperative, actor=regulator)
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.VERIFIED


def test_rejected_cooperative_is_resubmitted_by_its_manager_only():
    manager = UserFactory()
    cooperative = _create(manager)
    services.cooperative_reject(cooperative=cooperative, actor=RegulatorFactory(), reason="blurry")
    with pytest.raises(services.NotAllowed):
        services.cooperative_resubmit(cooperative=cooperative, actor=UserFactory())
    services.cooperative_resubmit(cooperative=cooperative, actor=manager)
    assert Cooperative.objects.get(pk=cooperative.pk).status == Status.PENDING


def test_suspension_hides_the_cooperative_from_the_publishing_set():
    cooperative = CooperativeFactory(status=Status.VERIFIED)
    assert selectors.publishing_cooperatives().filter(pk=cooperative.pk).exists()
    services.cooperative_suspend(cooperative=cooperative, actor=RegulatorFactory(), reason="x")
    assert not selectors.publishing_cooperatives().filter(pk=cooperative.pk).exists()
    assert not selectors.cooperative_can_publish(
        cooperative=Cooperative.objects.get(pk=cooperative.pk)
    )


def test_identity_is_locked_for_managers_once_reviewed_but_not_for_an_admin():
    manager = UserFactory()
    cooperative = CooperativeFactory(status=Status.VERIFIED)
    MembershipFactory(cooperative=cooperative, user=manager, role=Membership.Role.MANAGER)
    with pytest.raises(services.NotAllowed):
        services.cooperative_update(cooperative=cooperative, actor=manager, country="MY")
    services.cooperative_update(cooperative=cooperative, actor=manager, story="New story")
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.cooperative_update(
        cooperative=cooperative, actor=admin, by_admin=True, legal_name="Renamed"
    )
    cooperative.refresh_from_db()
    assert (cooperative.legal_name, cooperative.story) == ("Renamed", "New story")
    assert cooperative.status_changes.filter(actor=admin, reason__contains="legal_name").exists()


def test_regulators_and_members_cannot_edit_a_cooperatives_data():
    cooperative = CooperativeFactory()
    member = MembershipFactory(cooperative=cooperative).user
    for actor in (RegulatorFactory(), member):
        with pytest.raises(services.NotAllowed):
            services.cooperative_update(cooperative=cooperative, actor=actor, story="hacked")
    assert Cooperative.objects.get(pk=cooperative.pk).story != "hacked"


# --- Members and invitations ------------------------------------------------------


def test_invitation_is_emailed_and_accepted_only_by_the_invited_verified_address(
    django_capture_on_commit_callbacks,
):
    cooperative = CooperativeFactory()
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER).user
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            cooperative=cooperative, actor=manager, email="Joiner@Example.test", role="member"
        )
    assert mail.outbox[-1].to == ["joiner@example.test"]
    assert invitation.token in mail.outbox[-1].body

    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(invitation=invitation, user=UserFactory())
    unverified = UserFactory(email="joiner@example.test", verified=False)
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(invitation=invitation, user=unverified)

    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=True)
    membership = services.invitation_accept(invitation=invitation, user=unverified)
    assert membership.cooperative == cooperative and not membership.is_manager
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(invitation=invitation, user=unverified)


def test_a_non_manager_cannot_invite_or_change_roles():
    cooperative = CooperativeFactory()
    member = MembershipFactory(cooperative=cooperative)
    with pytest.raises(services.NotAllowed):
        services.invitation_create(
            cooperative=cooperative, actor=member.user, email="x@example.test", role="manager"
        )
    with pytest.raises(services.NotAllowed):
        services.membership_change_role(membership=member, actor=member.user, role="manager")
    member.refresh_from_db()
    assert not member.is_manager


def test_the_last_manager_can_neither_leave_nor_be_demoted():
    cooperative = CooperativeFactory()
    manager = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER)
    with pytest.raises(services.LastManager):
        services.membership_change_role(membership=manager, actor=manager.user, role="member")
    with pytest.raises(services.LastManager):
        services.membership_remove(membership=manager, actor=manager.user)
    other = MembershipFactory(cooperative=cooperative)
    services.membership_change_role(membership=other, actor=manager.user, role="manager")
    services.membership_remove(membership=manager, actor=manager.user)
    assert list(cooperative.memberships.values_list("role", flat=True)) == ["manager"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_demoting_each_other_at_once_leave_one_manager():
    cooperative = CooperativeFactory()
    first = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER)
    second = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(target, actor):
        try:
            barrier.wait()
            services.membership_change_role(membership=target, actor=actor, role="member")
            outcomes.append("ok")
        except (services.LastManager, services.NotAllowed):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second.user)),
        threading.Thread(target=demote, args=(second, first.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert cooperative.memberships.filter(role=Membership.Role.MANAGER).count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_status_email_is_sent_by_a_real_worker_after_commit(celery_worker):
    manager = UserFactory(email="chief@example.test")
    cooperative = _create(manager)
    mail.outbox.clear()
    services.cooperative_reject(
        cooperative=cooperative, actor=RegulatorFactory(), reason="Registration unreadable"
    )
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chief@example.test"]
    assert "Registration unreadable" in mail.outbox[0].body
