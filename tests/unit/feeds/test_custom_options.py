"""Products' custom options as pure logic: the value and option entities carrying rows that
name only their value or option up to the product, store-view fallbacks, the exporter's ids,
and withdrawals on delete and move (feeds/custom_options.py)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow
from feeds.custom_options import CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR
from feeds.memory import MemoryPipeline
from tests.unit.feeds.test_products import BASE_PRODUCT, REFERENCE_ROWS, by_view, change

OPTION = "catalog_product_option"
OPTION_TITLE = "catalog_product_option_title"
OPTION_PRICE = "catalog_product_option_price"
VALUE = "catalog_product_option_type_value"
VALUE_TITLE = "catalog_product_option_type_title"
VALUE_PRICE = "catalog_product_option_type_price"
Rows = tuple[str, dict[str, Any]]


def option(option_id: int, kind: str, sort_order: int = 0, product: int = 42, **more: Any) -> Rows:
    row = {"option_id": option_id, "product_id": product, "type": kind, "is_require": 1}
    columns = {"sku": None, "max_characters": None, "file_extension": None}
    return OPTION, {
        **row,
        **columns,
        "image_size_x": None,
        "image_size_y": None,
        "sort_order": sort_order,
        **more,
    }


def title(table: str, key: int, owner: int, store_id: int, text: str | None) -> Rows:
    key_column, owner_column = {
        OPTION_TITLE: ("option_title_id", "option_id"),
        VALUE_TITLE: ("option_type_title_id", "option_type_id"),
    }[table]
    return table, {key_column: key, owner_column: owner, "store_id": store_id, "title": text}


def price(table: str, key: int, owner: int, store_id: int, amount: str, kind: str) -> Rows:
    key_column, owner_column = {
        OPTION_PRICE: ("option_price_id", "option_id"),
        VALUE_PRICE: ("option_type_price_id", "option_type_id"),
    }[table]
    row = {key_column: key, owner_column: owner, "store_id": store_id}
    return table, {**row, "price": amount, "price_type": kind}


def value(option_type_id: int, option_id: int, sort_order: int, sku: str) -> Rows:
    row = {"option_type_id": option_type_id, "option_id": option_id}
    return VALUE, {**row, "sku": sku, "sort_order": sort_order}


def run(*rows: Rows) -> MemoryPipeline:
    projectors = [CATALOG_PROJECTOR, CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR]
    pipeline = MemoryPipeline(projectors, strict=True)
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE_ROWS, *BASE_PRODUCT, *rows))
    return pipeline


def uid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# An engraving (field, fixed price, French title and price) and a gift-wrap drop-down whose
# values arrive before their option, their titles before the values themselves.
ROWS = (
    title(VALUE_TITLE, 1, 500, 0, "Paper"),
    price(VALUE_PRICE, 1, 500, 0, "2.0000", "fixed"),
    value(500, 20, 2, "WRAP-PAPER"),
    value(501, 20, 1, "WRAP-SILK"),
    title(VALUE_TITLE, 2, 501, 0, "Silk"),
    title(VALUE_TITLE, 3, 501, 2, "Soie"),
    price(VALUE_PRICE, 2, 501, 0, "10.0000", "percent"),
    price(VALUE_PRICE, 3, 501, 2, "12.0000", "percent"),
    option(20, "drop_down", sort_order=1),
    title(OPTION_TITLE, 2, 20, 0, "Gift wrap"),
    option(10, "field", sort_order=1, sku="ENGRAVE", max_characters=20),
    title(OPTION_TITLE, 1, 10, 0, "Engraving"),
    title(OPTION_TITLE, 3, 10, 2, "Gravure"),
    price(OPTION_PRICE, 1, 10, 0, "5.0000", "fixed"),
    price(OPTION_PRICE, 2, 10, 2, "6.0000", "fixed"),
    option(30, "file", sort_order=0, file_extension="png, jpg", image_size_x=800),
    title(OPTION_TITLE, 4, 30, 0, "Your logo"),
    price(OPTION_PRICE, 3, 30, 0, "15.0000", "percent"),
    option(40, "area"),  # no title at store 0: the exporter's queries never list it
    title(OPTION_TITLE, 5, 40, 2, "Message"),
)


def test_shopper_input_options_per_store_view_with_store_0_fallbacks() -> None:
    options = by_view(run(*ROWS), "shopperInputOptions")
    default, fr = options["default"], options["fr"]
    # by sort order, then id; option 40 has no store-0 title
    assert [o["id"] for o in default] == [uid("custom-option/30"), uid("custom-option/10")]
    logo, engraving = default
    assert engraving == {
        "id": uid("custom-option/10"),
        "label": "Engraving",
        "sortOrder": 1,
        "required": True,
        "renderType": "field",
        "price": "5.0000",
        "fileExtension": None,
        "sku": "ENGRAVE",
        "range": {"from": None, "to": 20},
        "imageSizeX": None,
        "imageSizeY": None,
    }
    assert (logo["fileExtension"], logo["imageSizeX"], logo["price"]) == (
        "png, jpg",
        800,
        "15.0000",
    )
    assert (fr[1]["label"], fr[1]["price"]) == ("Gravure", "6.0000")
    assert (fr[0]["label"], fr[0]["price"]) == ("Your logo", "15.0000")  # store 0's


def test_selectable_options_go_to_options_v2_with_their_values() -> None:
    options = by_view(run(*ROWS), "optionsV2")
    [wrap] = options["default"]
    assert {k: v for k, v in wrap.items() if k != "values"} == {
        "id": "20",
        "label": "Gift wrap",
        "sortOrder": 1,
        "required": True,
        "renderType": "drop_down",
        "type": "custom_option",
        "swatchType": None,
    }
    silk, paper = wrap["values"]  # by sort order
    assert silk == {
        "id": uid("custom-option/20/501"),
        "label": "Silk",
        "sortOrder": 1,
        "isDefault": False,
        "colorHex": None,
        "imageUrl": None,
        "customSwatchValue": None,
        "qtyMutability": None,
        "qty": None,
        "infoUrl": None,
        "sku": "WRAP-SILK",
        "price": "10.0000",
        "priceType": "percent",
    }
    assert (paper["label"], paper["price"], paper["priceType"]) == ("Paper", "2.0000", "fixed")
    french = options["fr"][0]["values"]
    assert [(v["label"], v["price"]) for v in french] == [("Soie", "12.0000"), ("Paper", "2.0000")]


def test_a_title_edit_reaches_every_store_view_and_a_deleted_value_leaves() -> None:
    pipeline = run(*ROWS)
    table, old = title(VALUE_TITLE, 2, 501, 0, "Silk")
    pipeline.feed([change(table, "u", before=old, after={**old, "title": "Satin"})])
    labels = by_view(pipeline, "optionsV2")
    assert [v["label"] for v in labels["default"][0]["values"]] == ["Satin", "Paper"]
    assert [v["label"] for v in labels["fr"][0]["values"]] == ["Soie", "Paper"]
    # The value deleted: its titles and prices cascade away unseen; it leaves every view.
    pipeline.feed([change(VALUE, "d", before=value(501, 20, 1, "WRAP-SILK")[1])])
    for options in by_view(pipeline, "optionsV2").values():
        assert [v["sku"] for v in options[0]["values"]] == ["WRAP-PAPER"]


def test_a_deleted_option_leaves_every_store_view_with_its_values() -> None:
    pipeline = run(*ROWS)
    pipeline.feed([change(OPTION, "d", before=option(20, "drop_down", sort_order=1)[1])])
    pipeline.feed([change(OPTION, "d", before=option(10, "field", sort_order=1)[1])])
    assert by_view(pipeline, "optionsV2") == {"default": [], "fr": []}
    shopper = by_view(pipeline, "shopperInputOptions")
    assert {view: [o["label"] for o in found] for view, found in shopper.items()} == {
        "default": ["Your logo"],
        "fr": ["Your logo"],
    }
    # A late title row of the deleted option (its own topic) cannot bring it back.
    table, row = title(OPTION_TITLE, 9, 10, 1, "Late")
    pipeline.feed([change(table, "c", after=row)])
    assert len(by_view(pipeline, "shopperInputOptions")["default"]) == 1


def test_an_option_moved_to_another_product_leaves_the_first() -> None:
    other = [
        (t, {**row, "entity_id": 43, "sku": "SKU-43"} if t == "catalog_product_entity" else row)
        for t, row in BASE_PRODUCT
        if t in ("catalog_product_entity", "catalog_product_website")
    ]
    other = [(t, {**row, "product_id": 43} if "product_id" in row else row) for t, row in other]
    pipeline = run(*other, *ROWS)
    table, row = option(10, "field", sort_order=1, sku="ENGRAVE", max_characters=20)
    pipeline.feed([change(table, "u", before=row, after={**row, "product_id": 43})])
    assert [o["label"] for o in by_view(pipeline, "shopperInputOptions")["default"]] == [
        "Your logo"
    ]
    moved = by_view(pipeline, "shopperInputOptions", sku="SKU-43")
    assert [o["label"] for o in moved["fr"]] == ["Gravure"]


def test_a_title_row_moved_to_another_option_leaves_the_first() -> None:
    pipeline = run(*ROWS)
    table, row = title(OPTION_TITLE, 3, 10, 2, "Gravure")
    pipeline.feed([change(table, "u", before=row, after={**row, "option_id": 30})])
    fr = by_view(pipeline, "shopperInputOptions")["fr"]
    assert [o["label"] for o in fr] == ["Gravure", "Engraving"]  # option 30, then option 10


def test_a_row_without_its_id_or_with_a_text_for_a_number_is_a_malformed_row() -> None:
    table, row = title(OPTION_TITLE, 1, 10, 0, "Engraving")
    with pytest.raises(MalformedRow, match="without option_id"):
        CUSTOM_OPTION_PROJECTOR.keys_of(change(table, "c", after={**row, "option_id": None}))
    with pytest.raises(MalformedRow, match="'ten', not an id"):
        CUSTOM_OPTION_PROJECTOR.keys_of(change(table, "c", after={**row, "option_id": "ten"}))
    table, row = option(10, "field", sort_order="first")  # type: ignore[arg-type]
    with pytest.raises(MalformedRow, match="sort_order is 'first', not an integer"):
        CUSTOM_OPTION_PROJECTOR.apply(None, change(table, "c", after=row))
