import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Category, Product
from catalog.selectors import featured_products, visible_products
from marketplace.models import Province
from marketplace.roles import Role, user_has_mfa, user_roles
from policy.models import ListingRule
from sellers.models import Cooperative

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_is_idempotent_and_seeds_every_role():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first

    assert Province.objects.filter(country="ID").count() >= 34
    assert not Province.objects.filter(name="Jawa").exists()  # a grouping, not a province
    cooperatives = list(Cooperative.objects.all())
    assert sum(not c.is_cross_border for c in cooperatives) >= 2
    assert sum(c.is_cross_border for c in cooperatives) == 1
    assert {c.status for c in cooperatives} >= {"verified", "pending"}

    # A few hundred listings, and the foreign cooperative's textiles are blocked.
    assert Product.objects.count() >= 200
    foreign_textiles = Product.objects.filter(
        cooperative__country="CN",
        category__path__startswith=Category.objects.get(slug="textiles-fashion").path,
    )
    assert foreign_textiles.exists()
    assert set(foreign_textiles.values_list("status", flat=True)) == {"blocked"}
    assert Product.objects.filter(status="active", photos__isnull=False).exists()
    assert ListingRule.objects.filter(kind="protected_category").exists()

    # The demo's dates interleave: the first catalog page (newest first) shows every
    # verified cooperative that has live listings, and several categories.
    first_page = list(visible_products().order_by("-published_at", "-id")[:24])
    live = set(visible_products().values_list("cooperative_id", flat=True))
    assert len(live) >= 3
    assert {p.cooperative_id for p in first_page} == live
    assert len({p.category_id for p in first_page}) >= 6
    assert len({p.cooperative_id for p in featured_products()}) == len(live)

    User = apps.get_model("marketplace", "User")
    regulator = User.objects.get(email="regulator@demo.lokapasar.test")
    assert Role.REGULATOR in user_roles(regulator)
    assert user_has_mfa(regulator)
    assert user_has_mfa(User.objects.get(email="admin@demo.lokapasar.test"))
    manager = User.objects.get(email="manager.tenun@demo.lokapasar.test")
    assert Role.MANAGER in user_roles(manager)
    assert User.objects.get(email="buyer@demo.lokapasar.test").check_password("lokapasar-demo-2026")


def test_the_demos_invented_history_is_recorded_as_already_sent(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from marketplace.models import OutgoingEmail
    from marketplace.notifications import outbox_relay, relay_nudge

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    seeded = OutgoingEmail.objects.all()
    assert seeded.count() > 100  # eighteen months of orders, verifications, moves
    assert not seeded.filter(sent_at__isnull=True).exists()
    assert not seeded.filter(next_attempt_at__isnull=False).exists()
    assert outbox_relay() == 0
    assert mail.outbox == []
    assert relay_nudge not in callbacks  # and no relay was even asked for


def test_seed_demo_certifies_products_and_keeps_an_expired_certificate():
    from catalog.selectors import with_main_photo
    from policy.selectors.certification import certificate_lookup

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stars = [p.stars for p in with_main_photo(visible_products()) if p.stars is not None]
    assert sorted(set(stars)) == [3, 4, 5]
    expired = certificate_lookup(number="OCOP-DEMO-2022-0006")
    assert expired is not None
    assert expired.state_on(timezone.localdate()) == "expired"
