"""Configurable products' entries of optionsV2 as pure logic: super attributes in position
order with their store labels and swatch type, the options enabled children select (status
per store view, forwarded in the child's summary), swatches by type with the store view's
own or store 0's, and the rebuilds a child, a swatch or a label change causes
(feeds/configurable_options.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow
from feeds.custom_options import CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR
from feeds.memory import MemoryPipeline
from feeds.reference import Reference, apply_reference
from tests.unit.feeds.test_custom_options import OPTION_TITLE, VALUE_TITLE, option, title, value
from tests.unit.feeds.test_products import REFERENCE_ROWS, by_view, change

Rows = tuple[str, dict[str, Any]]
STATUS, COLOR, SIZE = 95, 200, 201
RED, BLUE, TWEED, SMALL, MEDIUM, LARGE = 5, 6, 7, 23, 24, 25
VISUAL = json.dumps({"swatch_input_type": "visual"})
TEXTUAL = json.dumps({"swatch_input_type": "text"})
MEDIA = "http://shop.test/media/"


def attribute(attribute_id: int, code: str, label: str | None, swatches: str | None) -> list[Rows]:
    row = {"attribute_id": attribute_id, "entity_type_id": 4, "attribute_code": code}
    row |= {"backend_type": "int", "frontend_input": "select", "frontend_label": label}
    catalog = {"attribute_id": attribute_id, "additional_data": swatches}
    return [("eav_attribute", row | {"is_user_defined": 1}), ("catalog_eav_attribute", catalog)]


def choice(option_id: int, attribute_id: int, sort_order: int, label: str) -> list[Rows]:
    return [
        (
            "eav_attribute_option",
            {"option_id": option_id, "attribute_id": attribute_id} | {"sort_order": sort_order},
        ),
        (
            "eav_attribute_option_value",
            {"value_id": option_id * 10, "option_id": option_id, "store_id": 0, "value": label},
        ),
    ]


def swatch(swatch_id: int, option_id: int, store_id: int, kind: int, stored: str | None) -> Rows:
    row = {"swatch_id": swatch_id, "option_id": option_id, "store_id": store_id}
    return "eav_attribute_option_swatch", row | {"type": kind, "value": stored}


def ints(entity_id: int, store_id: int, **values: int) -> list[Rows]:
    ids = {"status": STATUS, "color": COLOR, "size": SIZE}
    return [
        (
            "catalog_product_entity_int",
            {
                "value_id": entity_id * 100 + store_id * 10 + ids[code] % 10,
                "attribute_id": ids[code],
                "store_id": store_id,
                "entity_id": entity_id,
                "value": stored,
            },
        )
        for code, stored in values.items()
    ]


def product(entity_id: int, type_id: str = "simple") -> list[Rows]:
    return [
        (
            "catalog_product_entity",
            {"entity_id": entity_id, "sku": f"P-{entity_id}"} | {"type_id": type_id},
        ),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 1}),
    ]


def child(entity_id: int, color: int, size: int, status: int = 1) -> list[Rows]:
    link = {"link_id": entity_id, "parent_id": 1, "product_id": entity_id}
    return [
        *product(entity_id),
        *ints(entity_id, 0, status=status, color=color, size=size),
        ("catalog_product_super_link", link),
    ]


def super_attribute(key: int, attribute_id: int, position: int) -> Rows:
    row = {"product_super_attribute_id": key, "product_id": 1, "attribute_id": attribute_id}
    return "catalog_product_super_attribute", row | {"position": position}


REFERENCE: list[Rows] = [
    *REFERENCE_ROWS,
    (
        "core_config_data",
        {"config_id": 1, "scope": "default", "scope_id": 0, "path": "web/unsecure/base_url"}
        | {"value": "http://shop.test/"},
    ),
    (
        "eav_attribute",
        {"attribute_id": STATUS, "entity_type_id": 4, "attribute_code": "status"}
        | {"backend_type": "int"},
    ),
    *attribute(COLOR, "color", "Color", VISUAL),
    *attribute(SIZE, "size", "Size", TEXTUAL),
    (
        "eav_attribute_label",
        {"attribute_label_id": 1, "attribute_id": COLOR, "store_id": 2} | {"value": "Couleur"},
    ),
    *choice(BLUE, COLOR, 1, "Blue"),
    *choice(TWEED, COLOR, 2, "Tweed"),
    *choice(SMALL, SIZE, 1, "S"),
    *choice(MEDIUM, SIZE, 0, "M"),
    *choice(LARGE, SIZE, 2, "L"),  # no child selects it
    swatch(1, RED, 0, 1, "#ff0000"),
    swatch(2, RED, 2, 1, "#cc0000"),
    swatch(3, BLUE, 0, 1, "#0000ff"),
    swatch(4, BLUE, 2, 1, None),  # no value: store 0's
    swatch(5, TWEED, 0, 2, "/t/w/tweed.png"),
    swatch(6, SMALL, 0, 0, "S"),
    swatch(7, MEDIUM, 0, 3, "medium"),  # neither text nor visual: a custom value
]
# Red and small; blue and medium, disabled in the French store view; tweed and medium.
FAMILY: list[Rows] = [
    *product(1, "configurable"),
    super_attribute(1, SIZE, 1),
    super_attribute(2, COLOR, 0),
    *child(2, RED, SMALL),
    *child(3, BLUE, MEDIUM),
    *ints(3, 2, status=2),
    *child(4, TWEED, MEDIUM),
]


def run(*rows: Rows) -> MemoryPipeline:
    projectors = [CATALOG_PROJECTOR, CUSTOM_OPTION_PROJECTOR, CUSTOM_OPTION_VALUE_PROJECTOR]
    pipeline = MemoryPipeline(projectors, strict=True)
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE, *rows))
    return pipeline


def uid(attribute_id: int, option_id: int) -> str:
    return base64.b64encode(f"configurable/{attribute_id}/{option_id}".encode()).decode()


def entry_value(
    attribute_id: int, option_id: int, label: str, sort_order: int, **swatch: Any
) -> Any:
    return {
        "id": uid(attribute_id, option_id),
        "label": label,
        "sortOrder": sort_order,
        "isDefault": None,
        "colorHex": swatch.get("colorHex"),
        "imageUrl": swatch.get("imageUrl"),
        "customSwatchValue": swatch.get("customSwatchValue"),
        "qtyMutability": None,
        "qty": None,
        "infoUrl": None,
        "sku": None,
        "price": None,
        "priceType": None,
    }


def entry(code: str, label: str, position: int, swatches: str, values: list[Any]) -> Any:
    return {
        "id": code,
        "label": label,
        "sortOrder": position,
        "required": None,
        "renderType": None,
        "type": "configurable",
        "swatchType": swatches,
        "values": values,
    }


def options(pipeline: MemoryPipeline) -> dict[str, Any]:
    return by_view(pipeline, "optionsV2", sku="P-1")


TWEED_URL = f"{MEDIA}attribute/swatch/t/w/tweed.png"


def test_entries_by_position_with_labels_swatches_and_the_options_enabled_children_select() -> None:
    sizes = [
        entry_value(SIZE, MEDIUM, "M", 0, customSwatchValue="medium"),
        entry_value(SIZE, SMALL, "S", 1),  # a text swatch shows its label: no value sent
    ]
    assert options(run(*FAMILY)) == {
        "default": [
            entry(
                "color",
                "Color",
                0,
                VISUAL,
                [
                    entry_value(COLOR, RED, "Red", 0, colorHex="#ff0000"),
                    entry_value(COLOR, BLUE, "Blue", 1, colorHex="#0000ff"),
                    entry_value(COLOR, TWEED, "Tweed", 2, imageUrl=TWEED_URL),
                ],
            ),
            entry("size", "Size", 1, TEXTUAL, sizes),
        ],
        # the store view's labels and red; blue's only child is disabled here, medium is
        # selected by another child too
        "fr": [
            entry(
                "color",
                "Couleur",
                0,
                VISUAL,
                [
                    entry_value(COLOR, RED, "Rouge", 0, colorHex="#cc0000"),
                    entry_value(COLOR, TWEED, "Tweed", 2, imageUrl=TWEED_URL),
                ],
            ),
            entry("size", "Size", 1, TEXTUAL, sizes),
        ],
    }


def ids(entries: list[Any], code: str) -> list[str]:
    (found,) = [e for e in entries if e["id"] == code]
    return [base64.b64decode(v["id"]).decode().rsplit("/", 1)[1] for v in found["values"]]


def test_status_changes_of_children_reach_the_parent() -> None:
    pipeline = run(*FAMILY)
    # blue's child enabled in the French store view (its row there updated)
    disabled = dict(ints(3, 2, status=2)[0][1])
    pipeline.feed([change("catalog_product_entity_int", "u", disabled, {**disabled, "value": 1})])
    assert ids(options(pipeline)["fr"], "color") == [str(RED), str(BLUE), str(TWEED)]
    # tweed's child disabled everywhere: tweed goes; medium stays where blue's child sells
    enabled = dict(ints(4, 0, status=1)[0][1])
    pipeline.feed([change("catalog_product_entity_int", "u", enabled, {**enabled, "value": 2})])
    found = options(pipeline)
    assert ids(found["default"], "color") == [str(RED), str(BLUE)]
    assert ids(found["default"], "size") == [str(MEDIUM), str(SMALL)]
    # blue's child disabled in the French store view again: medium has no child there
    pipeline.feed([change("catalog_product_entity_int", "d", {**disabled, "value": 1})])
    pipeline.feed([change("catalog_product_entity_int", "c", after=disabled)])
    assert ids(options(pipeline)["fr"], "size") == [str(SMALL)]
    assert ids(options(pipeline)["default"], "size") == [str(MEDIUM), str(SMALL)]


def test_a_child_enabled_in_a_store_view_only_or_without_a_status() -> None:
    enabled_in_fr = [*child(5, BLUE, LARGE, status=2), *ints(5, 2, status=1)]
    no_status = [row for row in child(6, RED, LARGE) if row[1].get("attribute_id") != STATUS]
    found = options(run(*FAMILY, *enabled_in_fr, *no_status))
    assert ids(found["fr"], "size") == [str(MEDIUM), str(SMALL), str(LARGE)]
    assert ids(found["default"], "size") == [str(MEDIUM), str(SMALL)]


def test_swatch_label_and_attribute_changes_rebuild_the_parent() -> None:
    pipeline = run(*FAMILY)
    red = swatch(1, RED, 0, 1, "#ff0000")[1]
    label = {"attribute_label_id": 1, "attribute_id": COLOR, "store_id": 2, "value": "Couleur"}
    size = attribute(SIZE, "size", "Size", TEXTUAL)[1][1]
    pipeline.feed(
        [
            change("eav_attribute_option_swatch", "u", red, {**red, "value": "#ee0000"}),
            change("eav_attribute_label", "u", label, {**label, "value": "Teinte"}),
            change("catalog_eav_attribute", "u", size, {**size, "additional_data": None}),
        ]
    )
    found = options(pipeline)
    color, size_entry = found["fr"]
    assert (color["label"], color["values"][0]["colorHex"]) == ("Teinte", "#cc0000")
    assert found["default"][0]["values"][0]["colorHex"] == "#ee0000"
    assert size_entry["swatchType"] is None
    pipeline.feed([change("eav_attribute_option_swatch", "d", red)])
    assert found != options(pipeline)
    assert options(pipeline)["default"][0]["values"][0]["colorHex"] is None
    # an attribute that lost its catalog row is no entry (the exporter's query joins it)
    pipeline.feed([change("catalog_eav_attribute", "d", {**size, "additional_data": None})])
    assert [e["id"] for e in options(pipeline)["default"]] == ["color"]


def test_custom_options_come_first_and_other_products_have_no_entries() -> None:
    custom = [
        option(30, "drop_down", product=1),
        title(OPTION_TITLE, 1, 30, 0, "Gift wrap"),
        value(300, 30, 1, "WRAP"),
        title(VALUE_TITLE, 1, 300, 0, "Paper"),
    ]
    pipeline = run(*FAMILY, *custom)
    assert [e["id"] for e in options(pipeline)["default"]] == ["30", "color", "size"]
    assert by_view(pipeline, "optionsV2", sku="P-2") == {"default": [], "fr": []}


def test_a_parent_without_children_has_entries_without_values() -> None:
    found = options(run(*FAMILY[:4]))
    assert [(e["id"], e["values"]) for e in found["default"]] == [("color", []), ("size", [])]


def test_the_child_summary_carries_its_store_view_values() -> None:
    pipeline = run(*FAMILY)
    held = pipeline.states["products"]["1"]["child_summaries"]["3"]
    assert held["values"] == {str(STATUS): 1, str(COLOR): BLUE, str(SIZE): MEDIUM}
    assert held["scoped_values"] == {f"{STATUS}:2": 2}


def test_swatches_kept_by_option_and_store_in_the_reference() -> None:
    store: dict[str, Any] = {}
    for table, row in [*choice(RED, COLOR, 0, "Red"), *choice(BLUE, COLOR, 1, "Blue")]:
        apply_reference(store, change(table, "r", after=row))
    red = swatch(1, RED, 0, 1, "#ff0000")[1]
    apply_reference(store, change("eav_attribute_option_swatch", "c", after=red))
    assert Reference(store).option(RED)["swatches"] == {"0": [1, "#ff0000"]}  # type: ignore[index]
    moved = {**red, "option_id": BLUE}
    apply_reference(store, change("eav_attribute_option_swatch", "u", red, moved))
    assert Reference(store).option(RED)["swatches"] == {}  # type: ignore[index]
    assert Reference(store).option(BLUE)["swatches"] == {"0": [1, "#ff0000"]}  # type: ignore[index]
    # a late delete for an option that is gone conjures up no option
    gone = {**red, "option_id": 999}
    apply_reference(store, change("eav_attribute_option_swatch", "d", gone))
    assert Reference(store).option(999) is None
    # the option's delete takes its swatches along (InnoDB cascades them unseen)
    apply_reference(store, change("eav_attribute_option", "d", choice(BLUE, COLOR, 1, "B")[0][1]))
    assert Reference(store).option(BLUE) is None


def test_a_swatch_row_without_its_type_is_refused() -> None:
    row = {"swatch_id": 1, "option_id": RED, "store_id": 0, "value": "#ff0000"}
    with pytest.raises(MalformedRow, match="type"):
        apply_reference({}, change("eav_attribute_option_swatch", "c", after=row))
