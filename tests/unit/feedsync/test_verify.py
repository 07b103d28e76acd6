"""feedsync verify: compare() logic, the receiver read, and the pure parts of the projection."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest

from feeds.item import item_id
from feedsync.errors import ConfigError, TerminalError, TransientError
from feedsync.verify import FEEDS, Report, compare, project, receiver_items
from feedsync.verify.compare import SOURCE_CHANGE_TIME, field_diff
from feedsync.verify.eav import Attribute, pick
from feedsync.verify.products import _attributes, _StoreView

IDENTITY = FEEDS["products"].identity  # sku, storeViewCode


def product(sku: str, view: str = "default", **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "storeViewCode": view, "name": f"Name {sku}", "deleted": False, **fields}


def key(payload: dict[str, Any]) -> str:
    return item_id([payload[field] for field in IDENTITY])


def on_wire(payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What the receiver holds: the payload plus the wire fields, with ``changes`` applied."""
    return {
        **payload,
        "itemId": key(payload),
        "modifiedAt": "2026-01-01T00:00:00Z",
        **changes,
    }


def check(expected: list[dict[str, Any]], received: list[dict[str, Any]], **kw: Any) -> Report:
    return compare(
        {key(p): p for p in expected},
        {key(p): p for p in received},
        feed="products",
        identity=IDENTITY,
        **kw,
    )


def test_equal_states_are_clean_and_ignore_modified_at_and_item_id() -> None:
    a, b = product("A"), product("B", "fr")
    report = check([a, b], [on_wire(a), on_wire(b, modifiedAt="2030-05-05T00:00:00Z")])
    assert report.clean
    assert (report.expected, report.received, report.received_deleted) == (2, 2, 0)
    assert report.render().startswith("verify products: OK")


def test_a_source_change_time_matches_any_time_but_not_another_value() -> None:
    a = product("A", updatedAt=SOURCE_CHANGE_TIME)
    assert check([a], [on_wire(a, updatedAt="2026-12-04T03:10:59Z")]).clean
    for wrong in (None, "", "2026-12-04 03:10:59", "yesterday"):
        report = check([a], [on_wire(a, updatedAt=wrong)])
        assert report.stale.count == 1, wrong
        assert any("updatedAt" in detail for detail in report.stale.examples[0].details)
    assert check([a], []).missing.count == 1  # still expected as an item


def test_an_item_the_receiver_lacks_is_missing() -> None:
    a, b = product("A"), product("B")
    report = check([a, b], [on_wire(a)])
    assert not report.clean
    assert report.missing.count == 1
    [example] = report.missing.examples
    assert example.item_id == key(b)
    assert example.identity == (("sku", "B"), ("storeViewCode", "default"))
    assert example.details == ("not on the receiver",)


def test_an_item_held_as_deleted_is_missing_not_extra() -> None:
    a = product("A")
    report = check([a], [{"sku": "A", "storeViewCode": "default", "deleted": True}])
    assert report.missing.count == 1
    assert report.missing.examples[0].details == ("deleted on the receiver",)
    assert report.extra.count == 0
    assert (report.received, report.received_deleted) == (0, 1)


def test_a_deleted_item_the_source_no_longer_projects_is_fine() -> None:
    a = product("A")
    gone = {"sku": "GONE", "storeViewCode": "default", "deleted": True}
    assert check([a], [on_wire(a), on_wire(gone)]).clean


def test_an_undeleted_item_the_source_does_not_project_is_extra() -> None:
    a, b = product("A"), product("B")
    report = check([a], [on_wire(a), on_wire(b)])
    assert (report.missing.count, report.stale.count, report.extra.count) == (0, 0, 1)
    assert report.extra.examples[0].render() == (
        f"{key(b)} (sku=B storeViewCode=default): not in the source"
    )


def test_a_feed_never_deleted_downstream_keeps_what_the_source_lost() -> None:
    a, b = product("A"), product("B")
    expected = {key(a): a}
    report = compare(expected, {key(a): on_wire(a), key(b): on_wire(b)}, removable=False)
    assert report.clean
    assert report.kept == 1
    assert "1 kept" in report.render()


def test_source_warnings_show_whatever_the_verdict() -> None:
    a = product("A")
    warning = "1 SKUs are held by more than one product"
    clean = replace(check([a], [on_wire(a)]), source_warnings=(warning,))
    mismatch = replace(check([a], []), source_warnings=(warning,))
    assert clean.clean  # shown, never counted
    assert not mismatch.clean
    assert clean.render().splitlines()[1] == f"  source  {warning}"
    assert f"  source  {warning}" in mismatch.render().splitlines()


def test_a_differing_field_is_stale_with_a_field_level_diff() -> None:
    a = product("A", weight="1.500000")
    report = check([a], [on_wire(a, name="Old name")])
    assert report.stale.count == 1
    assert report.stale.examples[0].details == ('name: expected "Name A", received "Old name"',)
    assert "stale" in report.render()


def test_updated_at_is_compared() -> None:
    a = product("A", updatedAt="2026-01-02T00:00:00Z")
    report = check([a], [on_wire(a, updatedAt="2026-01-01T00:00:00Z")])
    assert report.stale.count == 1


def test_a_field_only_one_side_has_is_stale() -> None:
    a = product("A", weight=None)
    lacking = on_wire(a)
    del lacking["weight"]
    assert check([a], [lacking]).stale.examples[0].details == (
        "weight: expected null, received nothing",
    )
    assert check([a], [on_wire(a, extra=1)]).stale.count == 1


@pytest.mark.parametrize("same", [1.0, "1", "1.000"])
def test_numbers_compare_by_value_whatever_their_json_type(same: Any) -> None:
    """The sender casts to the exporter's types (an id as a string, a decimal as a number);
    verify compares what the values say, the contract test their types."""
    a = product("A", taxClassId=1)
    assert check([a], [on_wire(a, taxClassId=same)]).stale.count == 0


@pytest.mark.parametrize("wrong", [True, 2, "1.5", "one", None])
def test_a_different_value_is_stale(wrong: Any) -> None:
    a = product("A", taxClassId=1)
    assert check([a], [on_wire(a, taxClassId=wrong)]).stale.count == 1


def test_a_decimal_sent_as_a_number_matches_its_column_digits() -> None:
    a = product("A", weight="19.9900")
    assert check([a], [on_wire(a, weight=19.99)]).stale.count == 0
    assert check([a], [on_wire(a, weight=19.98)]).stale.count == 1


def test_examples_are_capped_but_counts_are_exact() -> None:
    expected = [product(f"S{i:03}") for i in range(30)]
    report = check(expected, [], examples=3)
    assert report.missing.count == 30
    assert len(report.missing.examples) == 3
    assert "… 27 more" in report.render()


def test_field_diff_names_nested_paths_and_list_lengths() -> None:
    want = {"attributes": [{"attributeCode": "color", "value": ["Red"]}], "ids": ["1"]}
    have = {"attributes": [{"attributeCode": "color", "value": ["Rouge"]}], "ids": []}
    assert field_diff(want, have) == [
        'attributes[0].value[0]: expected "Red", received "Rouge"',
        'ids: expected 1 entries ["1"], received 0 []',
    ]


def test_field_diff_is_bounded() -> None:
    want = {f"f{i}": i for i in range(10)}
    have = {f"f{i}": -i - 1 for i in range(10)}
    diffs = field_diff(want, have, limit=3)
    assert len(diffs) == 3
    assert diffs[-1] == "… 8 more differences"


def test_unknown_feed_raises_config_error_naming_the_known_feeds() -> None:
    # The name is checked before the connection is used, so any object will do.
    with pytest.raises(ConfigError) as caught:
        project(object(), "pricez")  # type: ignore[arg-type]
    for feed in FEEDS:
        assert feed in str(caught.value)


def test_pick_falls_back_to_store_zero_when_absent_or_null() -> None:
    assert pick({0: "default", 2: "fr"}, 2) == "fr"
    assert pick({0: "default", 2: "fr"}, 1) == "default"
    assert pick({0: "default", 2: None}, 2) == "default"
    assert pick({0: None, 2: None}, 2) is None
    assert pick({2: "fr"}, 1) is None
    assert pick({}, 1) is None
    assert pick(None, 1) is None


def test_user_defined_attributes_resolve_labels_and_inputs() -> None:
    color = Attribute(1, "color", "int", "select", user_defined=True)
    fabric = Attribute(2, "fabric", "varchar", "multiselect", user_defined=True)
    gtin = Attribute(3, "gtin", "varchar", "text", user_defined=True)
    unset = Attribute(4, "unset", "varchar", "text", user_defined=True)
    values = {1: {0: 10}, 2: {0: "21,20,99"}, 3: {0: "123", 2: "456"}, 4: {0: None, 2: None}}
    labels = {10: {0: "Red", 2: "Rouge"}, 20: {0: "Silk", 2: None}, 21: {0: "Wool", 2: "Laine"}}
    fr = _StoreView(2, "fr", "main", "base", "lbs", "USD", 1)
    assert _attributes([color, fabric, gtin, unset], values, labels, fr) == [
        {"attributeCode": "color", "value": ["Rouge"], "valueId": ["10"]},
        {
            "attributeCode": "fabric",
            "value": ["Laine", "Silk", None],
            "valueId": ["21", "20", "99"],
        },
        {"attributeCode": "gtin", "value": ["456"], "valueId": []},
    ]


def test_receiver_items_reads_the_items_object() -> None:
    held = {"abc": {"itemId": "abc", "deleted": False}}

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/feeds/products/items"
        return httpx.Response(200, content=orjson.dumps(held))

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert receiver_items("http://receiver.test/", "products", client=client) == held


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(503, text="busy"), TransientError),
        (httpx.Response(404, text="nope"), TerminalError),
        (httpx.Response(200, text="[1, 2]"), TerminalError),
        (httpx.Response(200, text="not json"), TerminalError),
    ],
)
def test_receiver_items_translates_failures(
    response: httpx.Response, error: type[Exception]
) -> None:
    transport = httpx.MockTransport(lambda _request: response)
    with httpx.Client(transport=transport) as client, pytest.raises(error):
        receiver_items("http://receiver.test", "products", client=client)


def test_receiver_items_unreachable_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as client,
        pytest.raises(TransientError, match="feedsync receive"),
    ):
        receiver_items("http://receiver.test", "products", client=client)
