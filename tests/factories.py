"""factory_boy factories shared by every app's tests."""

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group

from marketplace.models import Province, User
from sellers.models import Cooperative, Membership

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        if create:
            obj.save()


class RegulatorFactory(UserFactory):
    """A regulator; enrolled in TOTP unless ``mfa=False``."""

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if not create:
            return
        group, _ = Group.objects.get_or_create(name=settings.REGULATOR_GROUP)
        obj.groups.add(group)
        if extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)


class AdminFactory(UserFactory):
    """A superuser enrolled in TOTP (the admin requires it); sign in with
    :func:`force_login_with_mfa` to open admin pages."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)


def force_login_with_mfa(client, user) -> None:
    """Sign ``user`` in as allauth does after the two-factor stage: the session records
    that the second factor was passed."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("country", "code")

    country = "ID"
    code = factory.Sequence(lambda n: f"ID-T{n}")
    name = factory.Sequence(lambda n: f"Province {n}")


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    legal_name = factory.Sequence(lambda n: f"Koperasi Contoh {n}")
    slug = factory.Sequence(lambda n: f"koperasi-contoh-{n}")
    # A number in the country's format (a Chinese unified social credit code abroad).
    registration_number = factory.LazyAttributeSequence(
        lambda o, n: f"91440101MA{n:08d}" if o.country == "CN" else f"KOP-{n:05d}"
    )
    tax_identifier = factory.Sequence(lambda n: f"01.234.567.8-{n:03d}.000")
    country = "ID"
    province = factory.SubFactory(ProvinceFactory)
    commune = "Desa Contoh"
    member_count = 25
    status = Cooperative.Status.VERIFIED

    @factory.post_generation
    def licence(obj, create, extracted, **kwargs):
        """A pending cooperative waits for verification with its licence attached
        (``licence=False`` for one that lacks it)."""
        if create and obj.status == Cooperative.Status.PENDING and extracted is not False:
            obj.business_licence.save("licence.pdf", licence_pdf(), save=True)


def licence_pdf():
    """A business licence document, as a manager uploads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("licence.pdf", b"%PDF-1.7\n...", content_type="application/pdf")


def cooperative_register(creator, *, licence: bool = True, **fields):
    """A pending cooperative registered through the service, with every paper the
    regulator asks for (its licence, unless ``licence=False``), ready to verify."""
    from sellers import services

    cooperative = services.cooperative_create(
        creator=creator,
        **{
            "legal_name": "Koperasi Baru",
            "registration_number": "KOP-1",
            "country": "ID",
            "province": ProvinceFactory(),
            "story": "We grow cocoa.",
            "contact_email": "coop@example.test",
            "tax_identifier": "01.234.567.8-901.000",
            **fields,
        },
    )
    if licence:
        services.cooperative_attach_licence(
            cooperative=cooperative, actor=creator, upload=licence_pdf()
        )
    return cooperative


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cooperative = factory.SubFactory(CooperativeFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


def place_order(buyer, product, *, quantity: int = 1):
    """The buyer puts ``quantity`` of ``product`` in their cart and checks out (payment
    on delivery), as the checkout page does."""
    import uuid

    from orders.services.cart import cart_add, cart_get
    from orders.services.checkout import ShippingAddress, checkout_complete

    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=product.pk, quantity=quantity)
    return checkout_complete(
        buyer=buyer,
        cart=cart,
        address=ShippingAddress(
            name="Siti Rahayu",
            phone="+62 812 3456 7890",
            country="ID",
            province="Jawa Barat",
            commune="",
            street="Jl. Merdeka 12",
        ),
        payment_method="on_delivery",
        token=uuid.uuid4(),
    )


def deliver(seller_order, actor):
    """The cooperative confirms, ships and delivers its part of an order."""
    from orders.services.fulfilment import (
        seller_order_confirm,
        seller_order_deliver,
        seller_order_ship,
    )

    for move in (seller_order_confirm, seller_order_ship, seller_order_deliver):
        seller_order = move(seller_order=seller_order, actor=actor)
    return seller_order


def completed_on(seller_order, when, *, given_period: bool = True):
    """Date a delivered and paid part's trail ``when``, as completing it then would have:
    its status changes, the cash received, its completion and the month that counts it
    (or, ``given_period=False``, no month: a sale completed before periods were given at
    completion)."""
    from orders.models import SellerOrder, SellerOrderStatusChange
    from orders.services.assessment import period_of

    SellerOrderStatusChange.objects.filter(seller_order=seller_order).update(created_at=when)
    SellerOrder.objects.filter(pk=seller_order.pk).update(
        cash_received_at=when,
        completed_at=when,
        tax_period=period_of(when) if given_period else None,
    )
    seller_order.refresh_from_db()
    return seller_order


def protect(category, *, regulator=None, title: str = "", legal_reference: str = "R1"):
    """A regulator's rule protecting ``category`` from cross-border sellers."""
    from policy.models import ListingRule
    from policy.services.rules import rule_create

    return rule_create(
        actor=regulator or RegulatorFactory(),
        categories=[category],
        kind=ListingRule.Kind.PROTECTED_CATEGORY,
        title=title or f"Protect {category.name}",
        legal_reference=legal_reference,
    )


def manager_of(cooperative, user=None):
    """``user`` (a new account when not given) made a manager of ``cooperative``."""
    return MembershipFactory(
        cooperative=cooperative, role=Membership.Role.MANAGER, user=user or UserFactory()
    ).user


def seller(country: str = "ID", **fields):
    """A verified cooperative registered in ``country`` and its manager; abroad it has a
    region instead of one of the home country's provinces."""
    if country != "ID":
        fields = {"province": None, "region": "Guangdong", **fields}
    cooperative = CooperativeFactory(country=country, **fields)
    return cooperative, manager_of(cooperative)


def foreign_cooperative():
    """A cross-border cooperative (registered in China) and its manager."""
    return seller("CN")


def listing(
    cooperative, actor, category, *, title="Listing", price="2000000", publish=False, **details
):
    """A listing made through the catalog's services, as the workspace makes it: a draft
    (or blocked, when the policy says so), published when ``publish`` and allowed."""
    from decimal import Decimal

    from catalog.models import Product
    from catalog.services.products import product_create, product_publish

    product = product_create(
        cooperative=cooperative,
        actor=actor,
        category=category,
        title=title,
        price=Decimal(price),
        **details,
    )
    if publish and product.status == Product.Status.DRAFT:
        product = product_publish(product=product, actor=actor)
    return product


def textiles_and_sarongs():
    """The protected textiles category and its woven-sarongs child."""
    from catalog.services.categories import category_ensure

    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    return textiles, category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles)
