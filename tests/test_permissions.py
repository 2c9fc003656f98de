"""The role x URL matrix: every resolver pattern of the project, for every kind of visitor.

Every pattern (named or not: the apps, the project's urls.py, accounts and second factor,
the Django admin) must have an entry, or ``test_every_pattern_is_in_the_matrix`` fails.
The visitors: anonymous, a buyer, a member and a manager of cooperative A, the manager of
another cooperative B (who must never reach A's objects), a regulator, a member of staff
without a second factor and an administrator who passed one. Object ids in the URLs
belong to cooperative A. Public pages answer 200, never a redirect or a 404.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from policy.services.reports import last_month
from tests.factories import force_login_with_mfa
from tests.url_patterns import url_for, url_patterns
from tests.world import module_world

pytestmark = pytest.mark.django_db

world = module_world()

VISITORS = [
    "anonymous", "buyer", "member", "manager", "other_manager", "regulator", "staff", "admin"
]  # fmt: skip
LOGIN = "login"


@dataclass(frozen=True)
class To:
    """A redirect to ``target`` (a URL name, or a path)."""

    target: str

    def url(self) -> str:
        return self.target if self.target.startswith("/") else reverse(self.target)


HOME = To("/")
REAUTHENTICATE = To("account_reauthenticate")
ENROL = To("mfa_activate_totp")


def _expect(**codes):
    """Expected answer per visitor; unnamed visitors get ``default``. Staff and the
    administrator hold no seller or regulator role: without a default they are answered
    as the buyer is."""
    default = codes.pop("default", None)
    expected = {visitor: codes.get(visitor, default) for visitor in VISITORS}
    for visitor in ("staff", "admin"):
        if visitor not in codes and default is None:
            expected[visitor] = expected["buyer"]
    return expected


PUBLIC = _expect(default=200)
SIGNED_IN = _expect(anonymous=LOGIN, default=200)
MEMBERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=200, manager=200, other_manager=200
)
MANAGERS = _expect(
    anonymous=LOGIN, buyer=403, regulator=403, member=403, manager=200, other_manager=200
)
REGULATORS = _expect(anonymous=LOGIN, default=403, regulator=200)
# The data API answers every visitor without a token alike (its callers are other
# systems, with a token of their own: tests/policy/test_data_api.py).
TOKEN_ONLY = _expect(default=401)
# A workspace action on one of A's products: done (and redirected) for A's members;
# B's manager works in B, where the product does not exist.
ON_A_PRODUCT = {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404}
# The buyer's own order (one part from A): everyone else gets 404, never a hint.
BUYERS_OWN = _expect(anonymous=LOGIN, default=404, buyer=200)
# One of A's order parts, from A's order pages: B's manager works in B, where it is not.
ON_A_ORDER = {**MEMBERS, "other_manager": 404}
ON_A_ORDER_ACTION = {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404}


def _product_a(w):
    return {"pk": w["product_a"].pk}


def _photo_a(w):
    return {"pk": w["product_a"].pk, "photo_pk": w["photo_a"].pk}


# name -> (method, kwargs builder, expected per visitor)
MATRIX = {
    "home": ("get", None, PUBLIC),
    "healthz": ("get", None, PUBLIC),
    "account_home": ("get", None, SIGNED_IN),
    "orders:mine": ("get", None, SIGNED_IN),
    "policy:home": ("get", None, REGULATORS),
    "sellers:directory": ("get", None, PUBLIC),
    "sellers:storefront": ("get", lambda w: {"slug": w["coop_a"].slug}, PUBLIC),
    "sellers:onboard": ("get", None, SIGNED_IN),
    "sellers:workspace": ("get", None, MEMBERS),
    "sellers:profile": ("get", None, MANAGERS),
    "sellers:members": ("get", None, MEMBERS),
    # The workspace's document is the visitor's own cooperative's: B has none.
    "sellers:licence": ("get", None, {**MEMBERS, "other_manager": 404}),
    "sellers:switch": (
        "post",
        None,
        {**MEMBERS, "member": 302, "manager": 302, "other_manager": 404},
    ),
    "sellers:resubmit": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:invite": ("post", None, {**MANAGERS, "manager": 302, "other_manager": 302}),
    "sellers:member_role": (
        "post",
        lambda w: {"pk": w["member_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:member_remove": (
        "post",
        lambda w: {"pk": w["manager_a_membership"].pk},
        # A member may only remove itself; B's manager cannot see A's members.
        {**MEMBERS, "member": 403, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation_revoke": (
        "post",
        lambda w: {"pk": w["invitation_a"].pk},
        {**MANAGERS, "manager": 302, "other_manager": 404},
    ),
    "sellers:invitation": ("get", lambda w: {"token": w["invitation_a"].token}, SIGNED_IN),
    "sellers:verification_queue": ("get", None, REGULATORS),
    "sellers:verification_detail": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "sellers:verification_licence": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "catalog:browse": ("get", None, PUBLIC),
    "catalog:search": ("get", None, PUBLIC),
    "catalog:category": ("get", lambda w: {"slug": "household-goods"}, PUBLIC),
    "catalog:product": ("get", lambda w: {"slug": w["product_a"].slug}, PUBLIC),
    "catalog:workspace_products": ("get", None, MEMBERS),
    "catalog:product_create": ("get", None, MEMBERS),
    "catalog:product_import": ("get", None, MEMBERS),
    "catalog:product_edit": ("get", _product_a, {**MEMBERS, "other_manager": 404}),
    "catalog:product_publish": ("post", lambda w: {"pk": w["blocked_a"].pk}, ON_A_PRODUCT),
    "catalog:product_unpublish": ("post", _product_a, ON_A_PRODUCT),
    "catalog:product_archive": ("post", _product_a, ON_A_PRODUCT),
    "catalog:product_stock": ("post", _product_a, ON_A_PRODUCT),
    "policy:appeal_file": ("post", lambda w: {"pk": w["blocked_a"].pk}, ON_A_PRODUCT),
    "catalog:photo_add": ("post", _product_a, ON_A_PRODUCT),
    "catalog:photo_move": ("post", _photo_a, ON_A_PRODUCT),
    "catalog:photo_main": ("post", _photo_a, ON_A_PRODUCT),
    "catalog:photo_delete": ("post", _photo_a, ON_A_PRODUCT),
    # Cart pages are public; an action redirects to the cart.
    "orders:cart": ("get", None, PUBLIC),
    "orders:cart_add": ("post", None, _expect(default=302)),
    # The buyer's own line; a visitor without a cart has no line to change (404); the
    # buyer's update and anyone's removal (which only ever removes from their own cart)
    # end on the cart page.
    "orders:cart_update": (
        "post",
        lambda w: {"line_id": w["cart_line"].pk},
        _expect(default=404, buyer=302),
    ),
    "orders:cart_remove": ("post", lambda w: {"line_id": w["cart_line"].pk}, _expect(default=302)),
    # Checkout needs an account; an empty cart (everyone but the buyer) goes back to the
    # cart, and review and place without the address step go back to the address.
    "orders:checkout": ("get", None, _expect(anonymous=LOGIN, default=302, buyer=200)),
    "orders:checkout_review": ("get", None, _expect(anonymous=LOGIN, default=302)),
    "orders:checkout_place": ("post", None, _expect(anonymous=LOGIN, default=302)),
    "orders:detail": ("get", lambda w: {"pk": w["order"].pk}, BUYERS_OWN),
    "orders:buyer_cancel": (
        "post",
        lambda w: {"pk": w["order"].pk, "part": w["seller_order_a"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:return_create": (
        "post",
        lambda w: {"pk": w["delivered"].pk, "part": w["delivered_a"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:review_create": (
        "post",
        lambda w: {"line_id": w["delivered_line"].pk},
        {**BUYERS_OWN, "buyer": 302},
    ),
    "orders:seller_queue": ("get", None, MEMBERS),
    # B's manager may post A's ids: they are ignored (B's queue), hence 302 too.
    "orders:seller_bulk_confirm": (
        "post",
        None,
        {**MEMBERS, "member": 302, "manager": 302, "other_manager": 302},
    ),
    "orders:seller_order": ("get", lambda w: {"pk": w["seller_order_a"].pk}, ON_A_ORDER),
    "orders:packing_slip": ("get", lambda w: {"pk": w["seller_order_a"].pk}, ON_A_ORDER),
    "orders:return_decide": (
        "post",
        lambda w: {"pk": w["delivered_a"].pk, "return_pk": w["return_a"].pk},
        ON_A_ORDER_ACTION,
    ),
    "orders:review_reply": ("post", lambda w: {"review_pk": w["review_a"].pk}, ON_A_ORDER_ACTION),
    "policy:rules": ("get", None, REGULATORS),
    "policy:rule_create": ("get", None, REGULATORS),
    "policy:rule_edit": ("get", lambda w: {"pk": w["rule"].pk}, REGULATORS),
    "policy:appeals": ("get", None, REGULATORS),
    "policy:appeal_detail": ("get", lambda w: {"pk": w["appeal_a"].pk}, REGULATORS),
    "policy:certificates": ("get", None, REGULATORS),
    "policy:certificate_detail": ("get", lambda w: {"pk": w["certificate_a"].pk}, REGULATORS),
    "policy:certificate_award": ("get", _product_a, REGULATORS),
    # Anyone checks a certificate, prints it and reads its QR code.
    "certificates:check": ("get", None, PUBLIC),
    "certificates:print": ("get", lambda w: {"pk": w["certificate_a"].pk}, PUBLIC),
    "certificates:qr": ("get", lambda w: {"pk": w["certificate_a"].pk}, PUBLIC),
    "policy:recalls": ("get", None, REGULATORS),
    "policy:recall_detail": ("get", lambda w: {"pk": w["recall_a"].pk}, REGULATORS),
    "policy:recall_product": ("get", _product_a, REGULATORS),
    "policy:recall_cooperative": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "policy:inspections": ("get", None, REGULATORS),
    "policy:inspection_detail": ("get", lambda w: {"pk": w["inspection_a"].pk}, REGULATORS),
    "policy:inspection_evidence": (
        "get",
        lambda w: {"pk": w["inspection_a"].pk, "evidence_pk": w["evidence_a"].pk},
        REGULATORS,
    ),
    "policy:inspect_product": ("get", _product_a, REGULATORS),
    "policy:inspect_cooperative": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "policy:cooperative_sanctions": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "policy:sanction_lift": (
        "post",
        lambda w: {"pk": w["sanction_a"].pk},
        {**REGULATORS, "regulator": 302},
    ),
    "policy:watch_list": ("get", None, REGULATORS),
    "orders:statements": ("get", None, MEMBERS),
    # The world has no assessed month: a member gets "not found" for a month's statement.
    "orders:statement": (
        "get",
        lambda w: {"year": 2026, "month": 10},
        {**MEMBERS, "member": 404, "manager": 404, "other_manager": 404},
    ),
    "orders:statement_csv": (
        "get",
        lambda w: {"year": 2026, "month": 10},
        {**MEMBERS, "member": 404, "manager": 404, "other_manager": 404},
    ),
    "policy:tax_rules": ("get", None, REGULATORS),
    "policy:tax_rule_create": ("get", None, REGULATORS),
    "policy:tax_rule_edit": ("get", lambda w: {"pk": w["tax_rule_a"].pk}, REGULATORS),
    "policy:dashboard": ("get", None, REGULATORS),
    "policy:dashboard_chart": ("get", lambda w: {"name": "time"}, REGULATORS),
    "policy:dashboard_export": ("get", lambda w: {"name": "province", "fmt": "csv"}, REGULATORS),
    "policy:dashboard_cooperative": ("get", lambda w: {"pk": w["coop_a"].pk}, REGULATORS),
    "policy:tax_periods": ("get", None, REGULATORS),
    "policy:tax_period": ("get", lambda w: {"year": 2026, "month": 10}, REGULATORS),
    "policy:tax_period_csv": ("get", lambda w: {"year": 2026, "month": 10}, REGULATORS),
    "policy:tax_period_xlsx": ("get", lambda w: {"year": 2026, "month": 10}, REGULATORS),
    "policy:tax_period_collect": (
        "post",
        lambda w: {"year": 2026, "month": 10},
        {**REGULATORS, "regulator": 302},
    ),
    "policy:payout_decide": (
        "post",
        lambda w: {"year": 2026, "month": 10, "pk": w["coop_a"].pk},
        {**REGULATORS, "regulator": 302},
    ),
    "policy:tax_period_remit": (
        "post",
        lambda w: {"year": 2026, "month": 10},
        {**REGULATORS, "regulator": 302},
    ),
    # Anyone reads the recall notices and their feed.
    "recalls:list": ("get", None, PUBLIC),
    "recalls:feed": ("get", None, PUBLIC),
    "recalls:detail": ("get", lambda w: {"pk": w["recall_a"].pk}, PUBLIC),
    "policy:villages": ("get", None, REGULATORS),
    "policy:villages_mark": ("post", None, {**REGULATORS, "regulator": 302}),
    "policy:commune_households": (
        "post",
        lambda w: {"pk": w["commune_a"].pk},
        {**REGULATORS, "regulator": 302},
    ),
    "policy:reports": ("get", None, REGULATORS),
    "policy:report_create": ("post", None, {**REGULATORS, "regulator": 302}),
    "policy:report": ("get", lambda w: {"year": 2026, "month": 10}, REGULATORS),
    "policy:report_download": (
        "get",
        lambda w: {"year": 2026, "month": 10, "fmt": "xlsx"},
        REGULATORS,
    ),
    "policy:api_tokens": ("get", None, REGULATORS),
    "policy:api_token_revoke": (
        "post",
        lambda w: {"pk": w["api_token_a"].pk},
        {**REGULATORS, "regulator": 302},
    ),
    "api-v1:figures_headline": ("get", None, TOKEN_ONLY),
    "api-v1:figures_table": ("get", lambda w: {"table": "time"}, TOKEN_ONLY),
    "api-v1:cooperatives": ("get", None, TOKEN_ONLY),
    "api-v1:cooperative": ("get", lambda w: {"cooperative_id": w["coop_a"].pk}, TOKEN_ONLY),
    "api-v1:recalls": ("get", None, TOKEN_ONLY),
    "api-v1:certificates": ("get", None, TOKEN_ONLY),
    # The API's description is public (it holds no data); its root holds nothing.
    "api-v1:openapi-json": ("get", None, PUBLIC),
    "api-v1:openapi-view": ("get", None, PUBLIC),
    "api-v1:api-root": ("get", None, _expect(default=404)),
    # The audit trail is the administrator's too (behind the second factor).
    "policy:audit": ("get", None, {**REGULATORS, "admin": 200}),
    "policy:audit_export": ("get", None, {**REGULATORS, "admin": 200}),
}


POST_BODIES = {
    "sellers:switch": lambda w: {"cooperative": w["coop_a"].pk},
    "sellers:member_role": lambda w: {"role": "manager"},
    "sellers:invite": lambda w: {"email": "someone@example.test", "role": "member"},
    "catalog:product_stock": lambda w: {"set_to": "7"},
    "policy:appeal_file": lambda w: {"decision": w["decision_a"].pk, "statement": "Again"},
    "catalog:photo_move": lambda w: {"direction": "down"},
    "orders:cart_add": lambda w: {"product": w["product_a"].pk, "quantity": "1"},
    "orders:cart_update": lambda w: {"quantity": "2"},
    "orders:seller_bulk_confirm": lambda w: {"seller_orders": [w["seller_order_a"].pk]},
    "orders:return_decide": lambda w: {"decision": "accept", "restock": "on", "response": ""},
    "orders:review_reply": lambda w: {"reply": "Thank you!"},
    "policy:sanction_lift": lambda w: {"note": "Lifted after a clean visit."},
    "policy:tax_period_collect": lambda w: {"confirm": "collect"},
    "policy:tax_period_remit": lambda w: {"reference": "SSP-1"},
    "policy:payout_decide": lambda w: {"action": "hold", "note": "Bank details missing"},
    "policy:api_token_revoke": lambda w: {"confirm": "revoke"},
    "policy:report_create": lambda w: {"period": f"{last_month():%Y-%m}"},
    "policy:villages_mark": lambda w: {"year": str(last_month().year)},
    "policy:commune_households": lambda w: {"households": "120"},
}

# --- Accounts and the second factor (allauth), the language switch, media -----------

SIGNED_IN_ONLY_WITHOUT = _expect(anonymous=HOME, default=200)  # e.g. logout: nobody to log out
GUESTS = _expect(anonymous=200, default=HOME)  # login, signup: a signed-in user goes home
# A step of the second factor's flows whose session state is missing: back to the start.
STALE_STEP = _expect(anonymous=To("account_login"), default=HOME)
# Changes to one's second factor ask for the password again first (a recent sign-in).
RECENT = _expect(anonymous=LOGIN, default=REAUTHENTICATE)
# Pages about an authenticator the visitor must have: the enrolled regulator and admin.
ENROLLED = {
    **_expect(anonymous=LOGIN, default=404),
    "regulator": REAUTHENTICATE,
    "admin": REAUTHENTICATE,
}

MATRIX.update(
    {
        "account_login": ("get", None, GUESTS),
        "account_signup": ("get", None, GUESTS),
        "account_logout": ("get", None, SIGNED_IN_ONLY_WITHOUT),
        "account_inactive": ("get", None, PUBLIC),
        "account_email_verification_sent": ("get", None, PUBLIC),
        # An unknown key: the page says the link is not valid.
        "account_confirm_email": ("get", lambda w: {"key": "unknown"}, PUBLIC),
        "account_reset_password": ("get", None, PUBLIC),
        "account_reset_password_done": ("get", None, PUBLIC),
        "account_reset_password_from_key": (
            "get",
            lambda w: {"uidb36": "1", "key": "unknown"},
            PUBLIC,
        ),
        "account_reset_password_from_key_done": ("get", None, PUBLIC),
        "account_confirm_login_code": ("get", None, STALE_STEP),
        "mfa_authenticate": ("get", None, STALE_STEP),
        "account_email": ("get", None, SIGNED_IN),
        "account_change_password": ("get", None, SIGNED_IN),
        # Every account here has a password: "set" sends to "change".
        "account_set_password": (
            "get",
            None,
            _expect(anonymous=LOGIN, default=To("account_change_password")),
        ),
        "account_reauthenticate": ("get", None, SIGNED_IN),
        "mfa_index": ("get", None, SIGNED_IN),
        "mfa_activate_totp": ("get", None, RECENT),
        "mfa_generate_recovery_codes": ("get", None, RECENT),
        "mfa_deactivate_totp": ("get", None, ENROLLED),
        # Nobody here has generated recovery codes.
        "mfa_view_recovery_codes": ("get", None, _expect(anonymous=LOGIN, default=404)),
        "mfa_download_recovery_codes": ("get", None, _expect(anonymous=LOGIN, default=404)),
        # A second factor is asked for again only of those who have one.
        "mfa_reauthenticate": (
            "get",
            None,
            {**_expect(anonymous=LOGIN, default=REAUTHENTICATE), "regulator": 200, "admin": 200},
        ),
        "set_language": ("post", None, _expect(default=HOME)),
        # A product photo: files under media are public, as the product pages show them.
        "media": ("get", lambda w: {"path": w["photo_a"].card.name}, PUBLIC),
    }
)

# --- The Django admin --------------------------------------------------------------------

# Who is turned away how: anonymous visitors and users who are not staff go to the admin's
# login (which is the site's); staff without a second factor are sent to enrol.
TURNED_AWAY = {
    **_expect(default=To("/admin/login/")),
    "staff": ENROL,
}


def _admin(admin_answer):
    return {**TURNED_AWAY, "admin": admin_answer}


# What the administrator may write, per model; every other admin is read-only (a trail,
# or records only the services write), and its add and delete pages answer 403.
ADMIN_WRITES = {
    "auth.group": {"add", "delete"},
    "marketplace.user": {"add", "delete"},
    "marketplace.province": {"add", "delete"},
    "catalog.category": {"add", "delete"},
    "policy.listingrule": {"add"},
    "policy.commissionrate": {"add"},
    "account.emailaddress": {"add", "delete"},
    "sellers.invitation": {"delete"},
    # A lost device is removed so that its owner enrols again; none is written by hand.
    "mfa.authenticator": {"delete"},
}


def _first(model):
    return model._default_manager.order_by("pk").first()


def _admin_entries():
    entries = {}
    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        writes = ADMIN_WRITES.get(label, set())

        def object_id(w, model=model):
            obj = _first(model)
            return {"object_id": obj.pk if obj else 0}

        # With no object to show (none in the world), the admin goes back to its index.
        def one(answer, model=model):
            return answer if _first(model) is not None else To("admin:index")

        name = "admin:{}_{}_{}".format
        entries[name(*info, "changelist")] = ("get", None, _admin(200))
        entries[name(*info, "add")] = ("get", None, _admin(200 if "add" in writes else 403))
        entries[name(*info, "change")] = ("get", object_id, _admin(lambda one=one: one(200)))
        entries[name(*info, "history")] = ("get", object_id, _admin(lambda one=one: one(200)))
        entries[name(*info, "delete")] = (
            "get",
            object_id,
            _admin(200 if "delete" in writes else 403),
        )
        # The bare object URL redirects to its change page.
        entries[f"admin/{info[0]}/{info[1]}/<path:object_id>/"] = (
            "get",
            object_id,
            _admin(lambda info=info: To(f"/admin/{info[0]}/{info[1]}/")),
        )
    return entries


def _category(w):
    return {"parent_id": w["product_a"].category.pk}


MATRIX.update(_admin_entries())
MATRIX.update(
    {
        "admin:index": ("get", None, _admin(200)),
        # The tree admin's JavaScript translation catalogue: static strings, no data.
        "admin:javascript-catalog": ("get", None, PUBLIC),
        "admin:app_list": ("get", lambda w: {"app_label": "catalog"}, _admin(200)),
        "admin:jsi18n": ("get", None, _admin(200)),
        "admin:password_change": ("get", None, _admin(200)),
        "admin:password_change_done": ("get", None, _admin(200)),
        "admin:auth_user_password_change": (
            "get",
            lambda w: {"id": w["users"]["buyer"].pk},
            _admin(200),
        ),
        # The autocomplete answers the admin's own widgets only (a field is required).
        "admin:autocomplete": ("get", None, _admin(403)),
        "admin:view_on_site": (
            "get",
            lambda w: {
                "content_type_id": ContentType.objects.get_for_model(w["product_a"]).pk,
                "object_id": w["product_a"].pk,
            },
            _admin(To("/catalog/p/")),
        ),
        # The category tree's moves are POSTs of its drag and drop; its children pages
        # answer for a category.
        "admin/catalog/category/move/": ("get", None, _admin(400)),
        "admin/catalog/category/children/<str:parent_id>/": ("get", _category, _admin(200)),
        "admin/(?P<url>.*)$": ("get", lambda w: {"url": "nowhere/"}, _admin(404)),
        # The admin's login is the site's; a signed-in user who is not staff is refused.
        "admin:login": (
            "get",
            None,
            {
                **_expect(anonymous=To("account_login"), default=403),
                "staff": To("admin:index"),
                "admin": To("admin:index"),
            },
        ),
        # Logging out is a POST; a GET by a visitor outside the admin goes to its index.
        "admin:logout": (
            "get",
            None,
            {**_expect(default=To("admin:index")), "staff": 405, "admin": 405},
        ),
    }
)

CASES = [(key, visitor) for key in MATRIX for visitor in VISITORS]
PATTERNS = {pattern.key: pattern for pattern in url_patterns()}


def test_every_pattern_is_in_the_matrix():
    assert set(PATTERNS) - set(MATRIX) == set()
    assert set(MATRIX) - set(PATTERNS) == set()


def test_public_pages_answer_every_visitor_with_the_page():
    public = [key for key, (_, _, expected) in MATRIX.items() if expected == PUBLIC]
    assert {"home", "catalog:browse", "catalog:product", "sellers:storefront"} <= set(public)


@pytest.mark.parametrize(("key", "visitor"), CASES, ids=[f"{k}-{v}" for k, v in CASES])
def test_role_url_matrix(client, world, key, visitor):
    method, kwargs, expected = MATRIX[key]
    url = url_for(PATTERNS[key], kwargs(world) if kwargs else None)
    user = world["users"][visitor]
    if visitor == "admin":
        force_login_with_mfa(client, user)
    elif user is not None:
        client.force_login(user)
    body = POST_BODIES.get(key, lambda w: {})(world)
    response = getattr(client, method)(url, body)
    want = expected[visitor]
    if callable(want):
        want = want()
    if want == LOGIN:
        assert response.status_code == 302, f"{visitor} {method} {url}"
        assert response["Location"].startswith(reverse("account_login")), url
    elif isinstance(want, To):
        assert response.status_code == 302, f"{visitor} {method} {url}: {response.status_code}"
        # On this site (an absolute URL to this host counts as its path).
        location = urlsplit(response["Location"])
        assert location.netloc in {"", "testserver"}, response["Location"]
        assert location.path.startswith(want.url()), f"{url}: {response['Location']}"
    else:
        assert response.status_code == want, f"{visitor} {method} {url}"
