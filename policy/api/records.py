"""The registers other systems read: cooperatives, recalls and certificates, with the
fields their public pages show and nothing else (no contact, tax identifier, payout
account or licence of a cooperative; no buyer; no regulator's name). Each list is
paged by limit and offset in two queries (the count and the page), whatever its length.
"""

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from marketplace.db import reports_database
from marketplace.identifiers import identifier_normalise
from policy.models import Recall
from policy.selectors.certification import certificates_registry
from policy.selectors.recalls import recall_notices
from sellers.selectors import COOPERATIVE_STATUSES, cooperatives_registry

router = Router()

ID_MAX = 2**63 - 1  # the largest id a database column holds
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000

CooperativeStatus = Literal[COOPERATIVE_STATUSES]  # type: ignore[valid-type]
RecallStatus = Literal[tuple(Recall.Status.values)]  # type: ignore[valid-type]
RecallRisk = Literal[tuple(Recall.Risk.values)]  # type: ignore[valid-type]


class Page(LimitOffsetPagination):
    """limit (1 to 200, 50 by default) and offset; a value out of range is a 422."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class ProvinceOut(Schema):
    code: str = Field(description="ISO 3166-2, e.g. ID-BA.")
    name: str


class CooperativeOut(Schema):
    id: int
    name: str
    slug: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    province: ProvinceOut | None = Field(description="In the home country; null abroad.")
    region: str = Field(description="Abroad: its own state, province or region.")
    commune: str
    year_founded: int | None
    member_count: int
    status: str = Field(description="pending, verified, rejected or suspended.")
    verified: bool = Field(description="Verified, and so selling.")
    cross_border: bool = Field(description="Registered outside the home country.")
    registered_at: datetime
    storefront_url: str | None = Field(description="Its public page, while it is verified.")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.legal_name

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.country.code

    @staticmethod
    def resolve_province(obj):
        if obj.province is None:
            return None
        return {"code": obj.province.code, "name": obj.province.name}

    @staticmethod
    def resolve_verified(obj) -> bool:
        return obj.status == "verified"

    @staticmethod
    def resolve_cross_border(obj) -> bool:
        return obj.abroad

    @staticmethod
    def resolve_registered_at(obj) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_storefront_url(obj) -> str | None:
        if obj.status != "verified":
            return None
        return _absolute(reverse("sellers:storefront", args=[obj.slug]))


class PartyOut(Schema):
    id: int
    name: str


class ProductOut(Schema):
    id: int
    title: str


def _cooperative_of(cooperative) -> dict:
    return {"id": cooperative.pk, "name": cooperative.legal_name}


class RecallOut(Schema):
    id: int
    number: str = Field(description="As the notice shows it, e.g. RC-000012.")
    scope: str = Field(description="product, or cooperative: every product of it.")
    status: str
    risk: str
    risk_label: str
    hazard: str
    measures: str
    buyer_action: str
    buyer_action_label: str
    cooperative: PartyOut
    product: ProductOut | None = Field(description="The product, when one is recalled.")
    product_count: int
    opened_at: datetime
    closed_at: datetime | None
    close_note: str
    notice_url: str

    @staticmethod
    def resolve_risk_label(obj) -> str:
        return obj.get_risk_display()

    @staticmethod
    def resolve_buyer_action_label(obj) -> str:
        return obj.get_buyer_action_display()

    @staticmethod
    def resolve_cooperative(obj) -> dict:
        return _cooperative_of(obj.cooperative)

    @staticmethod
    def resolve_product(obj):
        if obj.product is None:
            return None
        return {"id": obj.product.pk, "title": obj.product.title}

    @staticmethod
    def resolve_notice_url(obj) -> str:
        return _absolute(reverse("recalls:detail", args=[obj.pk]))


class CertificateOut(Schema):
    id: int
    number: str
    state: Literal["valid", "expired", "not_yet_valid", "revoked", "replaced"] = Field(
        description="On today's date, as the public check page says it."
    )
    status: str
    stars: int
    score: int
    score_community: int = Field(description="Product and community strength, out of 40.")
    score_marketing: int = Field(description="Out of 25.")
    score_quality: int = Field(description="Out of 35.")
    level: str = Field(description="province or national.")
    issued_on: date
    expires_on: date
    product: ProductOut
    cooperative: PartyOut
    replaced_by: str | None = Field(description="The number of the certificate replacing it.")
    revoked_on: date | None
    revocation_reason: str
    certificate_url: str

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state_on(timezone.localdate())

    @staticmethod
    def resolve_product(obj) -> dict:
        return {"id": obj.product.pk, "title": obj.product.title}

    @staticmethod
    def resolve_cooperative(obj) -> dict:
        return _cooperative_of(obj.product.cooperative)

    @staticmethod
    def resolve_replaced_by(obj) -> str | None:
        replacement = getattr(obj, "replaced_by", None)
        return replacement.number if replacement is not None else None

    @staticmethod
    def resolve_revoked_on(obj) -> date | None:
        return timezone.localdate(obj.revoked_at) if obj.revoked_at else None

    @staticmethod
    def resolve_certificate_url(obj) -> str:
        return _absolute(reverse("certificates:print", args=[obj.pk]))


@router.get(
    "/cooperatives",
    response=list[CooperativeOut],
    url_name="cooperatives",
    operation_id="cooperatives",
    summary="Cooperatives of every status, in registration order",
    tags=["cooperatives"],
)
@paginate(Page)
def cooperatives(
    request,
    status: CooperativeStatus | None = None,
    province: int | None = Query(None, ge=1, le=ID_MAX, description="A province's id."),
    cross_border: bool | None = None,
):
    return cooperatives_registry(
        status=status or "", province_id=province, abroad=cross_border
    ).using(reports_database())


@router.get(
    "/cooperatives/{cooperative_id}",
    response=CooperativeOut,
    url_name="cooperative",
    operation_id="cooperative",
    summary="One cooperative",
    tags=["cooperatives"],
)
def cooperative(request, cooperative_id: int = Path(..., ge=1, le=ID_MAX)):
    found = cooperatives_registry().using(reports_database()).filter(pk=cooperative_id).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/recalls",
    response=list[RecallOut],
    url_name="recalls",
    operation_id="recalls",
    summary="Recalls, newest first (open ones unless asked otherwise)",
    tags=["recalls"],
)
@paginate(Page)
def recalls(
    request, status: RecallStatus = Recall.Status.OPEN.value, risk: RecallRisk | None = None
):
    return recall_notices(status=status, risk=risk or "").using(reports_database())


@router.get(
    "/certificates",
    response=list[CertificateOut],
    url_name="certificates",
    operation_id="certificates",
    summary="Product certificates (OCOP stars), newest first",
    tags=["certificates"],
)
@paginate(Page)
def certificates(
    request,
    number: str | None = Query(
        None, max_length=40, description="One certificate's number, as printed on it."
    ),
    valid: bool = Query(False, description="Only those in force today."),
):
    found = certificates_registry(
        number=identifier_normalise(number or ""),
        valid_on=timezone.localdate() if valid else None,
    )
    return found.using(reports_database())
