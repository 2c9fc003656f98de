"""Seed the demo: provinces, categories, a regulator, cooperatives and buyers.

Idempotent: running it twice changes nothing. Every write goes through the apps'
services, so the demo obeys the same rules as the product.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.services.categories import category_ensure
from demo.catalog import demo_catalog_interleave_dates, demo_catalog_seed
from demo.dashboard import demo_dashboard_seed
from demo.images import document_upload, logo_upload
from demo.orders import demo_orders_seed
from demo.quality import demo_quality_seed, demo_recalls_seed
from demo.taxes import demo_taxes_seed
from marketplace.models import Province, User
from marketplace.notifications import emails_recorded_as_sent
from marketplace.services import provinces_seed, regulator_grant, user_ensure_verified
from policy.services.rules import rules_seed_defaults
from policy.services.taxes import taxes_seed_defaults
from sellers.models import Cooperative, Membership
from sellers.services import (
    cooperative_attach_licence,
    cooperative_create,
    cooperative_set_logo,
    cooperative_verify,
)

DEMO_PASSWORD = "lokapasar-demo-2026"
PRODUCTS_PER_LINE = 15
# A fixed TOTP secret so that a newcomer can add the demo regulator to an
# authenticator app (or compute codes with any TOTP tool). Demo only.
DEMO_REGULATOR_TOTP_SECRET = "LOKAPASARDEMOREGULATORTOTP234567"

# slug, names (en, fr, id, vi), children
CATEGORY_TREE = [
    (
        "textiles-fashion",
        ("Textiles & fashion", "Textiles et mode", "Tekstil & fesyen", "Dệt may & thời trang"),
        [
            ("batik-ikat", ("Batik & ikat", "Batik et ikat", "Batik & ikat", "Batik & ikat")),
            ("woven-sarongs", ("Woven sarongs", "Sarongs tissés", "Sarung tenun", "Xà rông dệt")),
            ("clothing", ("Clothing", "Vêtements", "Pakaian", "Quần áo")),
        ],
    ),
    (
        "food-beverages",
        (
            "Food & beverages",
            "Alimentation et boissons",
            "Makanan & minuman",
            "Thực phẩm & đồ uống",
        ),
        [
            ("coffee-tea", ("Coffee & tea", "Café et thé", "Kopi & teh", "Cà phê & trà")),
            (
                "spices-condiments",
                ("Spices & condiments", "Épices et condiments", "Rempah & bumbu", "Gia vị"),
            ),
            (
                "honey-preserves",
                ("Honey & preserves", "Miel et conserves", "Madu & manisan", "Mật ong & mứt"),
            ),
        ],
    ),
    (
        "crafts",
        ("Crafts", "Artisanat", "Kerajinan", "Thủ công mỹ nghệ"),
        [
            ("basketry", ("Basketry & weaving", "Vannerie", "Anyaman", "Đan lát")),
            (
                "pottery",
                ("Pottery & ceramics", "Poterie et céramique", "Gerabah & keramik", "Gốm sứ"),
            ),
            ("woodcraft", ("Woodcraft", "Travail du bois", "Kerajinan kayu", "Đồ gỗ")),
        ],
    ),
    (
        "agricultural-raw-materials",
        (
            "Agricultural raw materials",
            "Matières premières agricoles",
            "Bahan baku pertanian",
            "Nguyên liệu nông nghiệp",
        ),
        [
            ("green-coffee", ("Green coffee beans", "Café vert", "Biji kopi hijau", "Cà phê nhân")),
            ("cocoa-beans", ("Cocoa beans", "Fèves de cacao", "Biji kakao", "Hạt ca cao")),
            (
                "seeds-seedlings",
                (
                    "Seeds & seedlings",
                    "Semences et plants",
                    "Benih & bibit",
                    "Hạt giống & cây giống",
                ),
            ),
        ],
    ),
    (
        "household-goods",
        ("Household goods", "Articles ménagers", "Peralatan rumah tangga", "Đồ gia dụng"),
        [
            (
                "kitchenware",
                ("Kitchenware", "Ustensiles de cuisine", "Peralatan dapur", "Dụng cụ nhà bếp"),
            ),
        ],
    ),
    (
        "beauty",
        ("Beauty", "Beauté", "Kecantikan", "Làm đẹp"),
        [
            (
                "soaps-oils",
                ("Soaps & oils", "Savons et huiles", "Sabun & minyak", "Xà phòng & tinh dầu"),
            ),
        ],
    ),
    (
        "electronics",
        ("Electronics", "Électronique", "Elektronik", "Điện tử"),
        [
            (
                "solar-lighting",
                (
                    "Solar lighting",
                    "Éclairage solaire",
                    "Lampu tenaga surya",
                    "Đèn năng lượng mặt trời",
                ),
            ),
        ],
    ),
    ("books", ("Books", "Livres", "Buku", "Sách"), []),
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
        "registration_number": "91440101MA59UQ7788",
        "country": "CN",
        "region": "Guangdong",
        "commune": "Guangzhou",
        "year_founded": 2015,
        "member_count": 0,
        "story": "A trading company that ships garments and fabrics directly from abroad.",
        "status": Cooperative.Status.VERIFIED,
    },
    {
        "manager": ("manager.gerabah@demo.lokapasar.test", "Made Suartini"),
        "legal_name": "Koperasi Gerabah Kasongan",
        "registration_number": "KOP-DIY-2004-0311",
        "country": "ID",
        "province_code": "ID-YO",
        "commune": "Kasongan",
        "year_founded": 2004,
        "member_count": 58,
        "story": "Potters of Kasongan village shape river clay on kick wheels and fire "
        "it in wood kilns shared by six families.",
        "status": Cooperative.Status.VERIFIED,
    },
    {
        "manager": ("manager.madu@demo.lokapasar.test", "Yohanes Wuwur"),
        "legal_name": "Koperasi Madu Hutan Sumbawa",
        "registration_number": "KOP-NTB-2014-0093",
        "country": "ID",
        "province_code": "ID-NB",
        "commune": "Batu Dulang",
        "year_founded": 2014,
        "member_count": 120,
        "story": "Honey hunters harvest wild Apis dorsata combs in the Sumbawa forest "
        "by hand, leaving the brood so the colonies return the next season.",
        "status": Cooperative.Status.VERIFIED,
    },
    {
        "manager": ("manager.rotan@demo.lokapasar.test", "Rahmat Hidayat"),
        "legal_name": "Koperasi Anyaman Rotan Cirebon",
        "registration_number": "KOP-JB-2018-0456",
        "country": "ID",
        "province_code": "ID-JB",
        "commune": "Tegalwangi",
        "year_founded": 2018,
        "member_count": 37,
        "story": "Rattan weavers of Tegalwangi make baskets and furniture from cane "
        "gathered by partner villages in Kalimantan.",
        "status": Cooperative.Status.PENDING,
    },
]

BUYERS = [
    ("buyer@demo.lokapasar.test", "Dewi Lestari"),
    ("buyer2@demo.lokapasar.test", "Ahmad Fauzi"),
]
REGULATOR = ("regulator@demo.lokapasar.test", "Regulator Demo")
ADMIN = ("admin@demo.lokapasar.test", "Administrator Demo")


def _names(names: tuple[str, str, str, str]) -> dict[str, str]:
    return dict(zip(("en", "fr", "id", "vi"), names, strict=True))


class Command(BaseCommand):
    help = "Seed demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # The demo's invented history would otherwise mail its people ~1 300 times.
        with emails_recorded_as_sent():
            self._seed()

    @transaction.atomic
    def _seed(self):
        country = settings.MARKETPLACE_COUNTRY
        new_provinces = provinces_seed(country=country)
        self._categories()
        regulator = self._people()
        new_rules = rules_seed_defaults(country=country, actor=regulator)
        new_rules += taxes_seed_defaults(country=country, actor=regulator)
        self._cooperatives(country, regulator)
        new_products = sum(
            demo_catalog_seed(
                cooperative=cooperative,
                actor=cooperative.memberships.filter(role=Membership.Role.MANAGER).first().user,
                per_line=PRODUCTS_PER_LINE,
            )
            for cooperative in Cooperative.objects.order_by("pk")
        )
        if new_products:
            demo_catalog_interleave_dates()
        new_orders = demo_orders_seed(
            buyers=list(
                User.objects.filter(email__in=[email for email, _ in BUYERS]).order_by("pk")
            )
        )
        new_certificates = demo_quality_seed(regulator=regulator)
        new_recalls = demo_recalls_seed(regulator=regulator)
        tax_months = demo_taxes_seed(regulator=regulator)
        rollup_days = demo_dashboard_seed()
        self.stdout.write(
            f"Listing and tax rules added: {new_rules}; products added: {new_products}; "
            f"orders added: {new_orders}; certificates added: {new_certificates}; "
            f"recalls added: {new_recalls}; tax months collected: {tax_months}; "
            f"days of dashboard figures: {rollup_days}"
        )
        self.stdout.write(f"Provinces added for {country}: {new_provinces}")
        self._print_logins()

    def _categories(self):
        for slug, names, children in CATEGORY_TREE:
            parent = category_ensure(slug=slug, name=names[0], translations=_names(names))
            for child_slug, child_names in children:
                category_ensure(
                    slug=child_slug,
                    name=child_names[0],
                    parent=parent,
                    translations=_names(child_names),
                )

    def _people(self):
        admin = user_ensure_verified(
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
        # The admin needs two-factor too; it shares the regulator's demo secret, so
        # `manage.py totp_code` prints a code for either.
        for enrolled in (regulator, admin):
            if not Authenticator.objects.filter(
                user=enrolled, type=Authenticator.Type.TOTP
            ).exists():
                TOTP.activate(enrolled, DEMO_REGULATOR_TOTP_SECRET)
        for email, name in BUYERS:
            user_ensure_verified(email=email, password=DEMO_PASSWORD, full_name=name)
        return regulator

    def _cooperatives(self, home_country, regulator):
        for number, spec in enumerate(COOPERATIVES, start=1):
            spec = dict(spec)
            email, name = spec.pop("manager")
            manager = user_ensure_verified(email=email, password=DEMO_PASSWORD, full_name=name)
            status = spec.pop("status")
            province_code = spec.pop("province_code", None)
            if spec["country"] == "ID" and home_country != "ID":
                # Another home country: seat the local cooperatives in its provinces.
                spec["country"] = home_country
                province_code = None
            if Cooperative.objects.filter(
                country=spec["country"], registration_number=spec["registration_number"]
            ).exists():
                continue
            if spec["country"] == home_country:
                spec["province"] = (
                    Province.objects.filter(code=province_code).first()
                    or Province.objects.filter(country=home_country).order_by("code").first()
                )
            cooperative = cooperative_create(
                creator=manager,
                contact_email=email,
                contact_phone="+62 811 0000 000",
                payout_method=Cooperative.PayoutMethod.MOBILE_MONEY,
                payout_account="+62 811 0000 000",
                tax_identifier=f"01.{number:03d}.567.8-901.000",
                **spec,
            )
            cooperative_set_logo(
                cooperative=cooperative, actor=manager, upload=logo_upload(spec["legal_name"])
            )
            # Every cooperative's papers are complete, so that the regulator verifies it.
            cooperative_attach_licence(
                cooperative=cooperative,
                actor=manager,
                upload=document_upload(f"Business licence {spec['registration_number']}"),
            )
            if status == Cooperative.Status.VERIFIED:
                cooperative_verify(
                    cooperative=cooperative, actor=regulator, reason="Documents checked (demo)."
                )

    def _print_logins(self):
        rows = [
            ("administrator (TOTP secret below)", ADMIN[0]),
            ("regulator (TOTP secret below)", REGULATOR[0]),
            *[("cooperative manager", spec["manager"][0]) for spec in COOPERATIVES],
            *[("buyer", email) for email, _ in BUYERS],
        ]
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for role, email in rows:
            self.stdout.write(f"  {role:32} {email}")
        self.stdout.write(
            f"  regulator and administrator TOTP secret: {DEMO_REGULATOR_TOTP_SECRET} "
            "(add it to an authenticator app, or: python manage.py totp_code)"
        )
