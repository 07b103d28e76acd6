"""variants as pure logic: super links, super attributes and forwarded child summaries → items.

The catalog projector runs in ``MemoryPipeline`` (reference store, re-keying, forwards
applied exactly as the workers apply them), so each child's summary reaches its parent.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import RowChange
from feeds.memory import MemoryPipeline
from feeds.projector import Payload
from feeds.variants import VARIANTS, build_variants
from tests.unit.rows import POSITIONS as _POSITIONS
from tests.unit.rows import change, delete, insert

Row = dict[str, Any]
COLOR, SIZE = 92, 200
RED, BLUE, SMALL = 5, 6, 23


def select_attribute(attribute_id: int, code: str) -> RowChange:
    row = {
        "attribute_id": attribute_id,
        "entity_type_id": 4,
        "attribute_code": code,
        "backend_type": "int",
        "frontend_input": "select",
        "is_user_defined": 1,
    }
    return insert("eav_attribute", row)


def option(option_id: int, attribute_id: int, *labels: tuple[int, str]) -> list[RowChange]:
    return [
        insert("eav_attribute_option", {"option_id": option_id, "attribute_id": attribute_id}),
        *(
            insert(
                "eav_attribute_option_value",
                {"value_id": option_id * 10 + s, "option_id": option_id, "store_id": s, "value": v},
            )
            for s, v in labels
        ),
    ]


REFERENCE = [
    select_attribute(COLOR, "color"),
    select_attribute(SIZE, "size"),
    *option(RED, COLOR, (0, "Red"), (2, "Rouge")),
    *option(BLUE, COLOR, (0, "Blue")),
    *option(SMALL, SIZE, (0, "S")),
]


def entity(entity_id: int, sku: str, type_id: str = "simple") -> RowChange:
    row = {"entity_id": entity_id, "sku": sku, "type_id": type_id}
    return insert("catalog_product_entity", row)


def int_value(entity_id: int, attribute_id: int, stored: int, store_id: int = 0) -> RowChange:
    row = {"value_id": next(_POSITIONS), "attribute_id": attribute_id, "store_id": store_id}
    return insert("catalog_product_entity_int", {**row, "entity_id": entity_id, "value": stored})


def link(link_id: int, parent_id: int, child_id: int) -> Row:
    return {"link_id": link_id, "parent_id": parent_id, "product_id": child_id}


PARENT = (
    entity(1, "CFG-1", "configurable"),
    insert(
        "catalog_product_super_attribute",
        {"product_super_attribute_id": 1, "product_id": 1, "attribute_id": SIZE, "position": 1},
    ),
    insert(
        "catalog_product_super_attribute",
        {"product_super_attribute_id": 2, "product_id": 1, "attribute_id": COLOR, "position": 0},
    ),
)
CHILD = (
    entity(2, "CFG-1-red-s"),
    int_value(2, COLOR, RED),
    int_value(2, SIZE, SMALL),
    int_value(2, COLOR, BLUE, store_id=2),  # store-view values do not count
    insert("catalog_product_super_link", link(1, 1, 2)),
)
EXPECTED = {
    # the exporter's id: md5 of configurable/<parent SKU>/<child SKU>
    "id": hashlib.md5(b"configurable/CFG-1/CFG-1-red-s").hexdigest(),
    "optionValues": [
        {
            "attributeCode": "color",
            "uid": base64.b64encode(b"configurable/92/5").decode(),
            "label": "Red",
            "valueIndex": RED,
        },
        {
            "attributeCode": "size",
            "uid": base64.b64encode(b"configurable/200/23").decode(),
            "label": "S",
            "valueIndex": SMALL,
        },
    ],
    "parentId": 1,
    "productId": 2,
    "parentSku": "CFG-1",
    "productSku": "CFG-1-red-s",
    "deleted": False,
}


def pipeline(*changes: RowChange) -> MemoryPipeline:
    offline = MemoryPipeline([CATALOG_PROJECTOR])
    offline.feed([*REFERENCE, *changes])
    return offline


def variants(offline: MemoryPipeline, parent_id: int = 1) -> list[Payload]:
    return build_variants(offline.states["products"][str(parent_id)], offline.reference)


def test_one_item_per_linked_child_with_option_values_by_position() -> None:
    assert variants(pipeline(*PARENT, *CHILD)) == [EXPECTED]


def test_child_arriving_before_its_parent() -> None:
    assert variants(pipeline(*CHILD, *PARENT)) == [EXPECTED]


def test_link_arriving_before_either_product() -> None:
    link_first = (CHILD[-1], *PARENT, *CHILD[:-1])
    assert variants(pipeline(*link_first)) == [EXPECTED]


def test_child_unlinked_deletes_its_item() -> None:
    offline = pipeline(*PARENT, *CHILD)
    assert list(offline.items(VARIANTS.name).values()) == [EXPECTED]
    mark = len(offline.emitted)
    offline.feed([delete("catalog_product_super_link", link(1, 1, 2))])
    emit = [e.payload for e in offline.emitted[mark:] if e.feed is VARIANTS]
    assert emit == [{"parentSku": "CFG-1", "productSku": "CFG-1-red-s", "deleted": True}]
    assert offline.records["products"]["1"].emitted.get(VARIANTS.name, {}) == {}
    assert offline.items(VARIANTS.name) == {}


def test_child_deleted_drops_out_of_its_parent() -> None:
    offline = pipeline(*PARENT, *CHILD)
    offline.feed([delete("catalog_product_entity", {"entity_id": 2})])  # the link cascades
    assert variants(offline) == []
    assert offline.states["products"]["1"]["super_links"] == []


def test_child_value_and_sku_changes_reach_the_parent() -> None:
    offline = pipeline(*PARENT, *CHILD)
    color = {"value_id": 99, "attribute_id": COLOR, "store_id": 0, "entity_id": 2}
    renamed = {"entity_id": 2, "sku": "CFG-1-blue-s", "type_id": "simple"}
    offline.feed(
        [
            change("catalog_product_entity_int", "u", before=color, after={**color, "value": BLUE}),
            change("catalog_product_entity", "u", before={"entity_id": 2}, after=renamed),
        ]
    )
    (item,) = variants(offline)
    assert item["productSku"] == "CFG-1-blue-s"
    assert item["optionValues"][0]["label"] == "Blue"


def test_a_child_without_a_value_for_an_axis_leaves_it_out() -> None:
    (item,) = variants(pipeline(*PARENT, *CHILD[:2], CHILD[-1]))
    assert [value["attributeCode"] for value in item["optionValues"]] == ["color"]


def test_only_configurable_parents_have_variants() -> None:
    simple_parent = entity(1, "CFG-1", "simple")
    assert variants(pipeline(simple_parent, *PARENT[1:], *CHILD)) == []


def test_super_attribute_removed_drops_its_option_value() -> None:
    offline = pipeline(*PARENT, *CHILD)
    offline.feed([delete("catalog_product_super_attribute", PARENT[1].row)])
    (item,) = variants(offline)
    assert [value["attributeCode"] for value in item["optionValues"]] == ["color"]


def test_a_summary_forwarded_from_a_snapshot_read_is_flagged_as_one() -> None:
    """The parent then builds with the rest of the snapshot, once, not per forward; a live
    change's summary builds at once."""

    def forwards_after(read: RowChange) -> list[Any]:
        apply = CATALOG_PROJECTOR.apply
        linked = apply(None, insert("catalog_product_super_link", link(1, 1, 2)))
        before = apply(apply(linked, entity(2, "CHILD")), int_value(2, COLOR, RED))
        after = apply(before, read)
        return list(CATALOG_PROJECTOR.forwards(before, after, "2"))

    row = {"entity_id": 2, "sku": "CHILD-2", "type_id": "simple"}
    from_snapshot = forwards_after(
        change("catalog_product_entity", "r", after=row, snapshot="true")
    )
    live = forwards_after(change("catalog_product_entity", "u", after=row))
    assert from_snapshot
    assert live
    assert {f.change.position.snapshot for f in from_snapshot} == {"true"}
    assert {f.change.position.snapshot for f in live} == {None}
