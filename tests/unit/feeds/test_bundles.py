"""Bundle products as pure logic: their options, titles, selections and website prices
folded into the bundle's state, the offered products' summaries (SKU and name) forwarded
to it, the cascades the binlog does not show, and the exporter's optionsV2 entries, ids and
type ``bundle_fixed`` (feeds/bundles.py)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from feeds.bundles import apply_bundle_change
from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow
from feeds.memory import MemoryPipeline
from tests.unit.feeds.test_products import (
    BASE_PRODUCT,
    REFERENCE_ROWS,
    by_view,
    change,
    int_value,
    system_attribute,
)

OPTION = "catalog_product_bundle_option"
TITLE = "catalog_product_bundle_option_value"
SELECTION = "catalog_product_bundle_selection"
PRICE = "catalog_product_bundle_selection_price"
Rows = tuple[str, dict[str, Any]]
BUNDLE = 50
PRICE_TYPE = 125


def product(entity_id: int, sku: str, kind: str, name: str) -> list[Rows]:
    row = {"entity_id": entity_id, "sku": sku, "type_id": kind}
    value = {"attribute_id": 73, "store_id": 0, "entity_id": entity_id, "value": name}
    return [
        ("catalog_product_entity", {**row, "created_at": None, "updated_at": None}),
        ("catalog_product_entity_varchar", {"value_id": 900 + entity_id, **value}),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 1}),
    ]


def option(option_id: int, position: int, kind: str = "select", required: int = 1) -> Rows:
    row = {"option_id": option_id, "parent_id": BUNDLE, "required": required}
    return OPTION, {**row, "position": position, "type": kind}


def title(value_id: int, option_id: int, store_id: int, text: str | None) -> Rows:
    row = {"value_id": value_id, "option_id": option_id, "store_id": store_id}
    return TITLE, {**row, "title": text, "parent_product_id": BUNDLE}


def selection(
    selection_id: int,
    option_id: int,
    child: int,
    position: int = 0,
    price: str = "10.0000",
    percent: int = 0,
    qty: str | None = "2.0000",
) -> Rows:
    row = {"selection_id": selection_id, "option_id": option_id, "parent_product_id": BUNDLE}
    return SELECTION, {
        **row,
        "product_id": child,
        "position": position,
        "is_default": int(position == 0),
        "selection_price_type": percent,
        "selection_price_value": price,
        "selection_qty": qty,
        "selection_can_change_qty": 1,
    }


def website_price(selection_id: int, website_id: int, amount: str) -> Rows:
    row = {"selection_id": selection_id, "website_id": website_id, "selection_price_type": 0}
    return PRICE, {**row, "selection_price_value": amount, "parent_product_id": BUNDLE}


def uid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# A fixed-price bundle whose rows arrive before the products it offers (42 from the shared
# base product, named "Chemise" in store view 2, and 43), with a website-1 price for one
# selection and a French title for one option.
ROWS = (
    option(7, position=2, kind="checkbox", required=0),
    title(1, 7, 0, "Extras"),
    option(6, position=1),
    title(2, 6, 0, "Main item"),
    title(3, 6, 2, "Article principal"),
    selection(11, 6, 42, position=1, price="5.0000", percent=1),
    selection(10, 6, 43, position=0),
    selection(12, 7, 43, position=0, qty=None),
    website_price(10, 1, "8.5000"),
    website_price(10, 2, "9.5000"),
    *product(BUNDLE, "KIT-50", "bundle", "Kit"),
    system_attribute(PRICE_TYPE, "price_type", "int"),
    int_value(70, PRICE_TYPE, 0, 1, entity_id=BUNDLE),
    *BASE_PRODUCT,
    *product(43, "SKU-43", "simple", "Belt"),
)


def run(*rows: Rows) -> MemoryPipeline:
    pipeline = MemoryPipeline([CATALOG_PROJECTOR], strict=True)
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE_ROWS, *rows))
    return pipeline


def bundle_entries(pipeline: MemoryPipeline) -> dict[str, Any]:
    return by_view(pipeline, "optionsV2", sku="KIT-50")


def test_options_and_values_per_store_view_as_the_exporter_builds_them() -> None:
    entries = bundle_entries(run(*ROWS))
    main, extras = entries["default"]  # by position
    assert {k: v for k, v in main.items() if k != "values"} == {
        "id": 6,
        "label": "Main item",
        "sortOrder": 1,
        "required": True,
        "renderType": "select",
        "type": "bundle",
        "swatchType": None,
    }
    belt, shirt = main["values"]  # by position
    assert belt == {
        "id": uid("bundle/6/10/2"),
        "label": "Belt",
        "sortOrder": 0,
        "isDefault": True,
        "colorHex": None,
        "imageUrl": None,
        "customSwatchValue": None,
        "qtyMutability": True,
        "qty": "2.0000",
        "infoUrl": None,
        "sku": "SKU-43",
        "price": "8.5000",  # the website's price row
        "priceType": "fixed",
    }
    assert (shirt["sku"], shirt["label"], shirt["price"], shirt["priceType"]) == (
        "SKU-42",
        "Shirt",
        "5.0000",
        "percent",
    )
    assert (extras["label"], extras["required"]) == ("Extras", False)
    assert extras["renderType"] == "checkbox"
    assert [v["id"] for v in extras["values"]] == [uid("bundle/7/12/0")]  # no qty: 0
    french_main = entries["fr"][0]
    assert french_main["label"] == "Article principal"
    assert [v["label"] for v in french_main["values"]] == ["Belt", "Chemise"]


def test_a_fixed_price_bundle_is_typed_bundle_fixed_and_other_products_are_untouched() -> None:
    pipeline = run(*ROWS)
    assert set(by_view(pipeline, "type", sku="KIT-50").values()) == {"bundle_fixed"}
    assert set(by_view(pipeline, "type").values()) == {"simple"}
    assert all(entries == [] for entries in by_view(pipeline, "optionsV2").values())
    dynamic = run(*ROWS, int_value(70, PRICE_TYPE, 0, 0, entity_id=BUNDLE))
    assert set(by_view(dynamic, "type", sku="KIT-50").values()) == {"bundle"}


def test_an_offered_products_rename_reaches_the_bundle() -> None:
    pipeline = run(*ROWS)
    renamed = {"value_id": 943, "attribute_id": 73, "store_id": 0, "entity_id": 43}
    before = {**renamed, "value": "Belt"}
    after = {**before, "value": "Strap"}
    pipeline.feed([change("catalog_product_entity_varchar", "u", before, after)])
    labels = [v["label"] for v in bundle_entries(pipeline)["default"][0]["values"]]
    assert labels == ["Strap", "Shirt"]


def test_a_selection_waits_for_its_products_summary() -> None:
    without_43 = [r for r in ROWS if r[1].get("entity_id") != 43 and r[1].get("product_id") != 43]
    main = bundle_entries(run(*without_43))["default"][0]
    assert [v["sku"] for v in main["values"]] == ["SKU-42"]


def test_deletes_and_their_cascades() -> None:
    pipeline = run(*ROWS)
    table, row = selection(10, 6, 43, position=0)
    pipeline.feed([change(table, "d", before=row)])
    assert [v["sku"] for v in bundle_entries(pipeline)["default"][0]["values"]] == ["SKU-42"]
    table, row = option(6, position=1)
    pipeline.feed([change(table, "d", before=row)])  # its titles and selections cascade
    [extras] = bundle_entries(pipeline)["default"]
    assert extras["id"] == 7
    state = pipeline.states["products"][str(BUNDLE)]
    assert set(state["bundle_selections"]) == {"12"}
    assert set(state["bundle_titles"]) == {"1"}
    assert state["bundle_prices"] == {}


def test_an_offered_products_delete_drops_its_selections() -> None:
    pipeline = run(*ROWS)
    gone = {"entity_id": 43, "sku": "SKU-43", "type_id": "simple"}
    pipeline.feed([change("catalog_product_entity", "d", before=gone)])
    main, extras = bundle_entries(pipeline)["default"]
    assert [v["sku"] for v in main["values"]] == ["SKU-42"]
    assert extras["values"] == []
    state = pipeline.states["products"][str(BUNDLE)]
    assert set(state["bundle_selections"]) == {"11"}
    assert "43" not in state["composite_children"]


def test_a_malformed_row_names_its_table_and_column() -> None:
    table, row = selection(10, 6, 43)
    with pytest.raises(MalformedRow, match=r"catalog_product_bundle_selection.*product_id"):
        apply_bundle_change({}, change(table, "c", after={**row, "product_id": "x"}))
    with pytest.raises(MalformedRow, match="selection_qty"):
        apply_bundle_change({}, change(table, "c", after={**row, "selection_qty": "lots"}))
