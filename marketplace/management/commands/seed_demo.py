"""Seed the demo: provinces, categories, a regulator, cooperatives and buyers.

Idempotent: running it twice changes nothing. Every write goes through the apps'
services, so the demo obeys the same rules as the product.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.services import category_ensure
from marketplace.models import Province
from marketplace.services import provinces_seed, regulator_grant, user_ensure_verified
from sellers.models import Cooperative
from sellers.services import cooperative_create

DEMO_PASSWORD = "lokapasar-demo-2026"
# A fixed TOTP secret so that a newcomer can add the demo regulator to an
# authenticator app (or compute codes with any TOTP tool). Demo only.
DEMO_REGULATOR_TOTP_SECRET = "LOKAPASARDEMOREGULATORTOTP234567"

CATEGORY_TREE = [
    (
        "textiles-fashion",
        "Textiles & fashion",
        [
            ("batik-ikat", "Batik & ikat"),
            ("woven-sarongs", "Woven sarongs"),
            ("clothing", "Clothing"),
        ],
    ),
    (
        "food-beverages",
        "Food & beverages",
        [
            ("coffee-tea", "Coffee & tea"),
            ("spices-condiments", "Spices & condiments"),
            ("snacks-preserves", "Snacks & preserves"),
        ],
    ),
    (
        "crafts",
        "Crafts",
        [
            ("basketry", "Basketry & weaving"),
            ("pottery", "Pottery & ceramics"),
            ("woodcraft", "Woodcraft"),
        ],
    ),
    (
        "agricultural-raw-materials",
        "Agricultural raw materials",
        [
            ("green-coffee", "Green coffee beans"),
            ("cocoa-beans", "Cocoa beans"),
            ("seeds-seedlings", "Seeds & seedlings"),
        ],
    ),
    ("household-goods", "Household goods", [("kitchenware", "Kitchenware")]),
    ("beauty", "Beauty", [("soaps-oils", "Soaps & oils")]),
    ("electronics", "Electronics", [("solar-lighting", "Solar lighting")]),
    ("books", "Books", []),
]

COOPERATIVES = [
    {
        "manager": ("manager.tenun@demo.lokapasar.test", "Sari Wulandari"),
        "legal_name": "Koperasi Tenun Ikat Sumba",
        "registration_number": "KOP-NTT-2011-0042",
        "country": "ID",
        "province_code": "ID-NT",
        "commune": "Lambanapu",
        "year_founded": 2011,
        "member_count": 64,
        "story": "Women weavers of East Sumba dye cotton with indigo and morinda roots "
        "and weave hinggi cloths on backstrap looms, as their grandmothers did.",
        "status": Cooperative.Status.VERIFIED,
    },
    {
        "manager": ("manager.kopi@demo.lokapasar.test", "Budi Santoso"),
        "legal_name": "Koperasi Kopi Gayo Mandiri",
        "registration_number": "KOP-ACEH-2009-0117",
        "country": "ID",
        "province_code": "ID-AC",
        "commune": "Takengon",
        "year_founded": 2009,
        "member_count": 412,
        "story": "Smallholders in the Gayo highlands grow arabica under shade trees, "
        "process it at the village washing station and roast it in Takengon.",
        "status": Cooperative.Status.VERIFIED,
    },
    {
        "manager": ("manager.overseas@demo.lokapasar.test", "Lin Wei"),
        "legal_name": "Guangzhou Textile Export Co.",
        "registration_number": "GZ-91440101-7788",
        "country": "CN",
        "region": "Guangdong",
        "commune": "Guangzhou",
        "year_founded": 2015,
        "member_count": 0,
        "story": "A trading company that ships garments and fabrics directly from abroad.",
        "status": Cooperative.Status.VERIFIED,
    },
]

BUYERS = [
    ("buyer@demo.lokapasar.test", "Dewi Lestari"),
    ("buyer2@demo.lokapasar.test", "Ahmad Fauzi"),
]
REGULATOR = ("regulator@demo.lokapasar.test", "Regulator Demo")
ADMIN = ("admin@demo.lokapasar.test", "Administrator Demo")


class Command(BaseCommand):
    help = "Seed demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        country = settings.MARKETPLACE_COUNTRY
        new_provinces = provinces_seed(country=country)
        self._categories()
        self._people()
        self._cooperatives(country)
        self.stdout.write(f"Provinces added for {country}: {new_provinces}")
        self._print_logins()

    def _categories(self):
        for slug, name, children in CATEGORY_TREE:
            parent = category_ensure(slug=slug, name=name)
            for child_slug, child_name in children:
                category_ensure(slug=child_slug, name=child_name, parent=parent)

    def _people(self):
        user_ensure_verified(
            email=ADMIN[0],
            password=DEMO_PASSWORD,
            full_name=ADMIN[1],
            is_staff=True,
            is_superuser=True,
        )
        regulator = user_ensure_verified(
            email=REGULATOR[0], password=DEMO_PASSWORD, full_name=REGULATOR[1]
        )
        regulator_grant(user=regulator)
        if not Authenticator.objects.filter(user=regulator, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(regulator, DEMO_REGULATOR_TOTP_SECRET)
        for email, name in BUYERS:
            user_ensure_verified(email=email, password=DEMO_PASSWORD, full_name=name)

    def _cooperatives(self, home_country):
        for spec in COOPERATIVES:
            spec = dict(spec)
            email, name = spec.pop("manager")
            manager = user_ensure_verified(email=email, password=DEMO_PASSWORD, full_name=name)
            if Cooperative.objects.filter(
                country=spec["country"], registration_number=spec["registration_number"]
            ).exists():
                continue
            status = spec.pop("status")
            province_code = spec.pop("province_code", None)
            if province_code:
                province = Province.objects.filter(code=province_code).first()
                if province is None or spec["country"] != home_country:
                    # Another home country: seat the local cooperatives in its provinces.
                    spec["country"] = home_country
                    province = Province.objects.filter(country=home_country).first()
                spec["province"] = province
            cooperative = cooperative_create(creator=manager, **spec)
            Cooperative.objects.filter(pk=cooperative.pk).update(status=status)

    def _print_logins(self):
        rows = [
            ("administrator", ADMIN[0]),
            ("regulator (TOTP secret below)", REGULATOR[0]),
            *[("cooperative manager", spec["manager"][0]) for spec in COOPERATIVES],
            *[("buyer", email) for email, _ in BUYERS],
        ]
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for role, email in rows:
            self.stdout.write(f"  {role:32} {email}")
        self.stdout.write(
            f"  regulator TOTP secret: {DEMO_REGULATOR_TOTP_SECRET} "
            "(add it to an authenticator app, or: python manage.py totp_code)"
        )
