"""Downloadable products' links as pure logic: the link entity carrying titles and prices that
name only their link up to the product, the optionsV2 entry with its store-view and website
fallbacks, and withdrawals on delete and move (feeds/downloadable_links.py)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow
from feeds.custom_options import CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR
from feeds.downloadable_links import LINKS_PROJECTOR
from feeds.memory import MemoryPipeline
from tests.unit.feeds.test_products import (
    BASE_PRODUCT,
    REFERENCE_ROWS,
    by_view,
    change,
    system_attribute,
)

LINK = "downloadable_link"
TITLE = "downloadable_link_title"
PRICE = "downloadable_link_price"
SAMPLE_PATH = "downloadable/download/linkSample/link_id/"
VARCHAR = "catalog_product_entity_varchar"
Rows = tuple[str, dict[str, Any]]


def link(link_id: int, sort_order: int, product: int = 42, **more: Any) -> Rows:
    row = {"link_id": link_id, "product_id": product, "sort_order": sort_order}
    columns = {"number_of_downloads": 0, "is_shareable": 0, "link_file": "/l/i/f.zip"}
    samples = {"sample_url": None, "sample_file": None, "sample_type": None}
    return LINK, {**row, **columns, "link_type": "file", **samples, **more}


def title(title_id: int, link_id: int, store_id: int, text: str | None) -> Rows:
    return TITLE, {"title_id": title_id, "link_id": link_id, "store_id": store_id, "title": text}


def price(price_id: int, link_id: int, website_id: int, amount: str) -> Rows:
    return PRICE, {
        "price_id": price_id,
        "link_id": link_id,
        "website_id": website_id,
        "price": amount,
    }


def downloadable(entity_id: int = 42, sku: str = "SKU-42") -> list[Rows]:
    """A downloadable in websites 1 (default, fr) and 2 (de), with its links_title at store 0
    and in the French view."""
    entity = {**BASE_PRODUCT[0][1], "entity_id": entity_id, "sku": sku, "type_id": "downloadable"}
    varchar = {"attribute_id": 120, "entity_id": entity_id}
    return [
        system_attribute(120, "links_title", "varchar"),
        ("catalog_product_entity", entity),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 1}),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 2}),
        (VARCHAR, {"value_id": entity_id * 10, **varchar, "store_id": 0, "value": "Downloads"}),
        (VARCHAR, {"value_id": entity_id * 10 + 1, **varchar, "store_id": 2, "value": "Téléch."}),
    ]


def run(*rows: Rows, product: list[Rows] | None = None) -> MemoryPipeline:
    projectors = [
        CATALOG_PROJECTOR,
        LINKS_PROJECTOR,
        CUSTOM_OPTION_PROJECTOR,
        CUSTOM_OPTION_VALUE_PROJECTOR,
    ]
    pipeline = MemoryPipeline(projectors, strict=True)
    base = downloadable() if product is None else product
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE_ROWS, *base, *rows))
    return pipeline


def uid(link_id: int) -> str:
    return base64.b64encode(f"downloadable/{link_id}".encode()).decode()


# Link 7 (a sample URL, no download limit, no price row) is read before its product and after
# its title; link 8 (sorted first) has a French title and a price in website 2.
ROWS = (
    title(1, 7, 0, "Bonus"),
    link(7, 20, sample_url="https://files.example/p.mp4", number_of_downloads=None),
    link(8, 10, number_of_downloads=3),
    title(2, 8, 0, "Full edition"),
    title(3, 8, 2, "Édition complète"),
    price(1, 8, 0, "5.0000"),
    price(2, 8, 2, "6.0000"),
)


def test_one_entry_per_store_view_with_the_links_by_sort_order() -> None:
    options = by_view(run(*ROWS), "optionsV2")
    assert set(options) == {"default", "fr", "de"}
    [entry] = options["default"]
    assert {k: v for k, v in entry.items() if k != "values"} == {
        "id": "link:42",
        "label": "Downloads",
        "sortOrder": None,
        "required": None,
        "renderType": None,
        "type": "downloadable",
        "swatchType": None,
    }
    full, bonus = entry["values"]
    assert full == {
        "id": uid(8),
        "label": "Full edition",
        "sortOrder": 10,
        "isDefault": None,
        "colorHex": None,
        "imageUrl": None,
        "customSwatchValue": None,
        "qtyMutability": None,
        "qty": 3,
        "infoUrl": None,
        "sku": None,
        "price": "5.0000",
        "priceType": None,
    }
    # a sample's URL; NULL downloads as 0 (unlimited); no price row as upstream's float 0
    assert (bonus["id"], bonus["label"], bonus["sortOrder"]) == (uid(7), "Bonus", 20)
    assert (bonus["infoUrl"], bonus["qty"], bonus["price"]) == (f"{SAMPLE_PATH}7", 0, "0")
    # the store view's links_title and titles, else store 0's; the website's price, else 0's
    labels = {view: found[0]["label"] for view, found in options.items()}
    assert labels == {"default": "Downloads", "fr": "Téléch.", "de": "Downloads"}
    values = {
        view: [(v["label"], v["price"]) for v in found[0]["values"]]
        for view, found in options.items()
    }
    assert values == {
        "default": [("Full edition", "5.0000"), ("Bonus", "0")],
        "fr": [("Édition complète", "5.0000"), ("Bonus", "0")],
        "de": [("Full edition", "6.0000"), ("Bonus", "0")],
    }


def test_a_downloadable_without_links_has_its_entry_and_another_type_none() -> None:
    assert by_view(run(), "optionsV2")["default"][0]["values"] == []
    simple = run(*ROWS, product=list(BASE_PRODUCT))  # links of a simple product: not listed
    assert by_view(simple, "optionsV2") == {"default": [], "fr": []}


def test_custom_options_come_first() -> None:
    rows = (
        ("catalog_product_option", {"option_id": 5, "product_id": 42, "type": "drop_down"}),
        ("catalog_product_option_title", {"option_title_id": 1, "option_id": 5, "store_id": 0}),
    )
    options = by_view(run(*ROWS, *rows), "optionsV2")
    assert [o["type"] for o in options["default"]] == ["custom_option", "downloadable"]


def test_edits_reach_their_scope_only_and_a_deleted_link_leaves() -> None:
    pipeline = run(*ROWS)
    table, old = title(3, 8, 2, "Édition complète")
    pipeline.feed([change(table, "u", before=old, after={**old, "title": "Intégrale"})])
    table, old = price(2, 8, 2, "6.0000")
    pipeline.feed([change(table, "u", before=old, after={**old, "price": "7.5000"})])
    first = {view: found[0]["values"][0] for view, found in by_view(pipeline, "optionsV2").items()}
    assert {view: (v["label"], v["price"]) for view, v in first.items()} == {
        "default": ("Full edition", "5.0000"),
        "fr": ("Intégrale", "5.0000"),
        "de": ("Full edition", "7.5000"),
    }
    # The link deleted: its titles and prices cascade away unseen; it leaves every view.
    pipeline.feed([change(LINK, "d", before=link(8, 10)[1])])
    for found in by_view(pipeline, "optionsV2").values():
        assert [v["id"] for v in found[0]["values"]] == [uid(7)]
    # A late title row of the deleted link (its own topic) cannot bring it back.
    pipeline.feed([change(TITLE, "c", after=title(9, 8, 1, "Late")[1])])
    assert len(by_view(pipeline, "optionsV2")["default"][0]["values"]) == 1


def test_a_link_moved_to_another_product_leaves_the_first() -> None:
    pipeline = run(*ROWS, *downloadable(43, "SKU-43"))
    table, row = link(8, 10, number_of_downloads=3)
    pipeline.feed([change(table, "u", before=row, after={**row, "product_id": 43})])
    assert [v["id"] for v in by_view(pipeline, "optionsV2")["default"][0]["values"]] == [uid(7)]
    moved = by_view(pipeline, "optionsV2", sku="SKU-43")
    assert [(v["label"], v["price"]) for v in moved["de"][0]["values"]] == [
        ("Full edition", "6.0000")
    ]


def test_a_price_row_moved_to_another_link_leaves_the_first_and_the_newer_row_counts() -> None:
    pipeline = run(*ROWS)
    table, row = price(1, 8, 0, "5.0000")
    pipeline.feed([change(table, "u", before=row, after={**row, "link_id": 7})])
    prices = [v["price"] for v in by_view(pipeline, "optionsV2")["default"][0]["values"]]
    assert prices == ["0", "5.0000"]
    # Two rows for one website (the table has no unique key there): the higher price_id's.
    pipeline.feed([change(PRICE, "c", after=price(5, 7, 0, "4.0000")[1])])
    assert by_view(pipeline, "optionsV2")["default"][0]["values"][1]["price"] == "4.0000"


def test_a_row_without_its_link_or_with_a_text_for_a_number_is_a_malformed_row() -> None:
    table, row = title(1, 7, 0, "Bonus")
    with pytest.raises(MalformedRow, match="without link_id"):
        LINKS_PROJECTOR.keys_of(change(table, "c", after={**row, "link_id": None}))
    table, row = link(7, 20, number_of_downloads="many")
    with pytest.raises(MalformedRow, match="number_of_downloads is 'many', not an integer"):
        LINKS_PROJECTOR.apply(None, change(table, "c", after=row))
