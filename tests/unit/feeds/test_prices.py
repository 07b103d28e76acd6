"""prices as pure logic: product rows, links and forwarded parent summaries → items.

The catalog projector runs in ``MemoryPipeline`` (reference store, re-keying, forwards
applied exactly as the workers apply them), so a parent's summary reaches its children.
The clock is an argument (``at``) or ``feeds.prices.now``, never the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feeds.clock
import feeds.prices
from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import RowChange, SourcePosition
from feeds.memory import MemoryPipeline
from feeds.prices import PRICES, build_prices, next_price_change, price_type
from feeds.product_links import PRODUCT_GONE
from feeds.projector import Payload, forwarded
from feeds.values import customer_group_code
from tests.unit.rows import POSITIONS as _POSITIONS
from tests.unit.rows import change, delete, insert

Row = dict[str, Any]
LA, BERLIN = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin")
PRICE, SPECIAL, SPECIAL_FROM, SPECIAL_TO = 77, 78, 79, 80


def attribute(attribute_id: int, code: str, backend: str) -> list[RowChange]:
    return [
        insert(
            "eav_attribute",
            {
                "attribute_id": attribute_id,
                "entity_type_id": 4,
                "attribute_code": code,
                "backend_type": backend,
                "frontend_input": "price",
                "is_user_defined": 0,
            },
        ),
        insert("catalog_eav_attribute", {"attribute_id": attribute_id, "is_global": 2}),
    ]


REFERENCE = [
    *(
        insert("store_website", {"website_id": w, "code": c})
        for w, c in enumerate(("admin", "base", "second"))
    ),
    insert("store", {"store_id": 0, "code": "admin", "website_id": 0, "group_id": 0}),
    insert("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
    insert("store", {"store_id": 2, "code": "fr", "website_id": 1, "group_id": 1}),
    insert("store", {"store_id": 3, "code": "second_en", "website_id": 2, "group_id": 2}),
    insert("store", {"store_id": 4, "code": "second_de", "website_id": 2, "group_id": 2}),
    *(
        insert("customer_group", {"customer_group_id": g, "customer_group_code": code})
        for g, code in enumerate(("NOT LOGGED IN", "General", "Wholesale"))
    ),
    insert(
        "core_config_data",
        {
            "config_id": 1,
            "scope": "default",
            "scope_id": 0,
            "path": "general/locale/timezone",
            "value": "America/Los_Angeles",
        },
    ),
    insert(
        "core_config_data",
        {
            "config_id": 2,
            "scope": "websites",
            "scope_id": 2,
            "path": "general/locale/timezone",
            "value": "Europe/Berlin",
        },
    ),
    *attribute(PRICE, "price", "decimal"),
    *attribute(SPECIAL, "special_price", "decimal"),
    *attribute(SPECIAL_FROM, "special_from_date", "datetime"),
    *attribute(SPECIAL_TO, "special_to_date", "datetime"),
]


def entity(entity_id: int, sku: str, type_id: str = "simple") -> RowChange:
    return insert(
        "catalog_product_entity", {"entity_id": entity_id, "sku": sku, "type_id": type_id}
    )


def website(product_id: int, website_id: int) -> Row:
    return {"product_id": product_id, "website_id": website_id}


def value(entity_id: int, attribute_id: int, store_id: int, stored: Any) -> RowChange:
    table = "datetime" if attribute_id in (SPECIAL_FROM, SPECIAL_TO) else "decimal"
    row = {"value_id": next(_POSITIONS), "attribute_id": attribute_id, "store_id": store_id}
    return insert(
        f"catalog_product_entity_{table}", {**row, "entity_id": entity_id, "value": stored}
    )


def wall_clock(text: str) -> int:
    """A DATETIME as Debezium sends it: epoch milliseconds of the naive wall-clock value."""
    return int((datetime.fromisoformat(text) - datetime(1970, 1, 1)) / timedelta(milliseconds=1))


def instant(text: str, zone: ZoneInfo) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def tier(
    value_id: int,
    website_id: int,
    qty: str,
    price: str,
    group: int | None = None,
    pct: str | None = None,
) -> RowChange:
    row = {
        "value_id": value_id,
        "entity_id": 10,
        "all_groups": 1 if group is None else 0,
        "customer_group_id": group or 0,
        "qty": qty,
        "value": price,
        "website_id": website_id,
        "percentage_value": pct,
    }
    return insert("catalog_product_entity_tier_price", row)


def pipeline(*changes: RowChange) -> MemoryPipeline:
    offline = MemoryPipeline([CATALOG_PROJECTOR])
    offline.feed([*REFERENCE, *changes])
    return offline


# Items name groups by the exporter's codes: "0" for the fallback every group falls back
# to, the SHA-1 of the id for a group with prices of its own. The tests use names.
NAME_OF = {
    "0": "fallback",
    **{customer_group_code(g): n for g, n in enumerate(("NOT LOGGED IN", "General", "Wholesale"))},
}


def prices(
    offline: MemoryPipeline, product_id: int, at: float = 0.0
) -> dict[tuple[str, str], Payload]:
    state = offline.states["products"][str(product_id)]
    return {
        (p["websiteCode"], NAME_OF[p["customerGroupCode"]]): p
        for p in build_prices(state, offline.reference, at)
    }


SIMPLE = (
    entity(10, "SKU-10"),
    insert("catalog_product_website", website(10, 1)),
    value(10, PRICE, 0, "20.000000"),
)


def test_one_fallback_item_per_website_with_website_scoped_price() -> None:
    offline = pipeline(
        *SIMPLE,
        insert("catalog_product_website", website(10, 2)),
        value(10, PRICE, 4, "25.000000"),  # second_de only: the website's only store value
    )
    items = prices(offline, 10)
    assert set(items) == {("base", "fallback"), ("second", "fallback")}  # no group's own
    assert items["base", "fallback"]["regular"] == "20.000000"
    assert items["second", "fallback"].pop("updatedAt")
    assert items["second", "fallback"] == {
        "websiteId": 2,
        "productId": 10,
        "sku": "SKU-10",
        "type": "SIMPLE",
        "customerGroupCode": "0",
        "websiteCode": "second",
        "parents": [],
        "regular": "25.000000",
        "discounts": [],
        "tierPrices": [],
        "deleted": False,
    }


def test_updated_at_is_the_newest_change_of_the_price_data_not_of_a_name() -> None:
    offline = pipeline(*SIMPLE)
    price_change = value(10, PRICE, 0, "21.000000")
    offline.feed([price_change])
    stamp = datetime.fromtimestamp(price_change.ts_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert prices(offline, 10)["base", "fallback"]["updatedAt"] == stamp
    name = {"value_id": next(_POSITIONS), "attribute_id": 73, "store_id": 0, "entity_id": 10}
    offline.feed([insert("catalog_product_entity_varchar", {**name, "value": "Renamed"})])
    assert prices(offline, 10)["base", "fallback"]["updatedAt"] == stamp


def test_a_product_without_a_price_has_the_exporters_zero() -> None:
    offline = pipeline(entity(10, "SKU-10"), insert("catalog_product_website", website(10, 1)))
    assert prices(offline, 10)["base", "fallback"]["regular"] == "0.000000"


def test_special_window_opening_a_minute_later_and_next_change() -> None:
    offline = pipeline(
        *SIMPLE,
        value(10, SPECIAL, 0, "15.000000"),
        value(10, SPECIAL_FROM, 0, wall_clock("2026-03-10 09:00:00")),
    )
    opens = instant("2026-03-10 09:00:00", LA)
    state = offline.states["products"]["10"]
    before = prices(offline, 10, at=opens - 60)
    assert before["base", "fallback"]["discounts"] == []
    assert next_price_change(state, offline.reference, at=opens - 60) == opens
    after = prices(offline, 10, at=opens)
    assert after["base", "fallback"]["discounts"] == [
        {"code": "special_price", "price": "15.000000"}
    ]
    assert next_price_change(state, offline.reference, at=opens) is None  # open forever


def test_the_build_reads_the_module_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    offline = pipeline(
        *SIMPLE,
        value(10, SPECIAL, 0, "15.000000"),
        value(10, SPECIAL_FROM, 0, wall_clock("2026-03-10 09:00:00")),
    )
    monkeypatch.setattr(feeds.prices, "now", lambda: instant("2026-03-10 08:59:00", LA))
    (item, *_) = CATALOG_PROJECTOR.build(offline.states["products"]["10"], offline.reference)[
        "prices"
    ]
    assert item["discounts"] == []


def test_window_is_wall_clock_in_each_websites_zone_and_a_midnight_end_covers_the_day() -> None:
    offline = pipeline(
        *SIMPLE,
        insert("catalog_product_website", website(10, 2)),
        value(10, SPECIAL, 0, "15.000000"),
        value(10, SPECIAL_FROM, 0, wall_clock("2026-03-10 00:00:00")),
        value(10, SPECIAL_TO, 0, wall_clock("2026-03-20 00:00:00")),
    )
    state = offline.states["products"]["10"]
    berlin_midnight = instant("2026-03-10 00:00:00", BERLIN)  # 2026-03-09 23:00 UTC
    items = prices(offline, 10, at=berlin_midnight)
    assert items["second", "fallback"]["discounts"] == [
        {"code": "special_price", "price": "15.000000"}
    ]
    assert items["base", "fallback"]["discounts"] == []  # still the 9th in Los Angeles
    la_midnight = instant("2026-03-10 00:00:00", LA)
    assert next_price_change(state, offline.reference, at=berlin_midnight) == la_midnight
    last_la_second = instant("2026-03-20 23:59:59", LA)
    assert prices(offline, 10, at=last_la_second)["base", "fallback"]["discounts"] != []
    assert prices(offline, 10, at=last_la_second)["second", "fallback"]["discounts"] == []
    assert next_price_change(state, offline.reference, at=last_la_second) == last_la_second + 1


def test_an_end_with_a_time_closes_at_that_instant() -> None:
    offline = pipeline(
        *SIMPLE,
        value(10, SPECIAL, 0, "15.000000"),
        value(10, SPECIAL_TO, 0, wall_clock("2026-03-10 12:30:00")),
    )
    closes = instant("2026-03-10 12:30:00", LA)
    assert prices(offline, 10, at=closes - 1)["base", "fallback"]["discounts"] != []
    assert prices(offline, 10, at=closes)["base", "fallback"]["discounts"] == []


def test_group_prices_and_tiers_for_all_groups_and_a_groups_own_winning_its_qty() -> None:
    offline = pipeline(
        *SIMPLE,
        tier(1, 1, "5.0000", "18.000000"),
        tier(2, 1, "5.0000", "16.000000", group=2),
        tier(3, 1, "10.0000", "0.000000", group=1, pct="15.00"),
        tier(4, 1, "1.0000", "19.000000"),  # quantity 1: the group price of every group
        tier(5, 1, "1.0000", "17.500000", group=2),
        tier(6, 1, "0.5000", "1.000000"),  # below 1: neither, as the exporter has it
    )
    items = prices(offline, 10)
    assert set(items) == {("base", "fallback"), ("base", "General"), ("base", "Wholesale")}
    assert items["base", "fallback"]["discounts"] == [{"code": "group", "price": "19.000000"}]
    assert items["base", "fallback"]["tierPrices"] == [{"qty": "5.0000", "price": "18.000000"}]
    assert items["base", "Wholesale"]["discounts"] == [{"code": "group", "price": "17.500000"}]
    assert items["base", "Wholesale"]["tierPrices"] == [{"qty": "5.0000", "price": "16.000000"}]
    assert items["base", "fallback"]["discounts"] == [{"code": "group", "price": "19.000000"}]
    assert items["base", "General"]["tierPrices"] == [
        {"qty": "5.0000", "price": "18.000000"},
        {"qty": "10.0000", "percentage": "15.00"},
    ]
    assert items["base", "General"]["customerGroupCode"] == customer_group_code(1)


def test_a_special_price_follows_the_group_price_and_a_bundles_is_a_percentage() -> None:
    offline = pipeline(
        *SIMPLE,
        value(10, SPECIAL, 0, "15.000000"),
        tier(1, 1, "1.0000", "19.000000", group=1),
        entity(21, "BUNDLE-21", "bundle"),
        insert("catalog_product_website", website(21, 1)),
        value(21, SPECIAL, 0, "80.000000"),
    )
    assert prices(offline, 10)["base", "General"]["discounts"] == [
        {"code": "special_price", "price": "15.000000"},
        {"code": "group", "price": "19.000000"},
    ]
    assert prices(offline, 10)["base", "fallback"]["discounts"] == [
        {"code": "special_price", "price": "15.000000"}
    ]
    assert prices(offline, 21)["base", "fallback"]["discounts"] == [
        {"code": "special_price", "percentage": "80.000000"}
    ]


def test_website_0_tier_price_applies_everywhere_and_a_website_row_wins_its_qty() -> None:
    offline = pipeline(
        *SIMPLE,
        insert("catalog_product_website", website(10, 2)),
        tier(1, 0, "3.0000", "19.000000"),
        tier(2, 2, "3.0000", "17.000000"),
        tier(3, 0, "4.0000", "18.000000", group=2),
    )
    items = prices(offline, 10)
    assert items["base", "fallback"]["tierPrices"] == [{"qty": "3.0000", "price": "19.000000"}]
    assert items["second", "fallback"]["tierPrices"] == [{"qty": "3.0000", "price": "17.000000"}]
    # A group's row for all websites gives it an item in each.
    assert items["second", "Wholesale"]["tierPrices"] == [
        {"qty": "3.0000", "price": "17.000000"},
        {"qty": "4.0000", "price": "18.000000"},
    ]
    assert ("base", "Wholesale") in items


def test_product_removed_from_a_website_deletes_that_websites_items() -> None:
    offline = pipeline(
        *SIMPLE,
        insert("catalog_product_website", website(10, 2)),
        tier(1, 0, "2.0000", "19.000000", group=2),
    )
    assert len(offline.records["products"]["10"].emitted[PRICES.name]) == 4
    assert len(offline.items(PRICES.name)) == 4
    mark = len(offline.emitted)
    offline.feed([delete("catalog_product_website", website(10, 2))])
    emit = [e.payload for e in offline.emitted[mark:] if e.feed is PRICES]
    gone = sorted((p["websiteCode"], NAME_OF[p["customerGroupCode"]]) for p in emit if p["deleted"])
    assert gone == [("second", "Wholesale"), ("second", "fallback")]
    assert len(offline.records["products"]["10"].emitted[PRICES.name]) == 2
    assert {p["websiteCode"] for p in offline.items(PRICES.name).values()} == {"base"}


RELATED = (
    entity(20, "CFG-20", "configurable"),
    insert("catalog_product_relation", {"parent_id": 20, "child_id": 10}),
    entity(21, "BUNDLE-21", "bundle"),
    insert("catalog_product_relation", {"parent_id": 21, "child_id": 10}),
)


def test_child_arriving_before_its_parents_lists_them_by_sku() -> None:
    offline = pipeline(*SIMPLE, *reversed(RELATED))
    assert prices(offline, 10)["base", "fallback"]["parents"] == [
        {"type": "BUNDLE", "sku": "BUNDLE-21"},
        {"type": "CONFIGURABLE", "sku": "CFG-20"},
    ]
    assert (
        pipeline(*RELATED, *SIMPLE).states["products"]["10"]["parent_summaries"]
        == (offline.states["products"]["10"]["parent_summaries"])
    )


def test_parent_sku_renamed_reaches_its_children() -> None:
    offline = pipeline(*SIMPLE, *RELATED)
    renamed = {"entity_id": 20, "sku": "AAA-20", "type_id": "configurable"}
    offline.feed([change("catalog_product_entity", "u", before={"entity_id": 20}, after=renamed)])
    assert prices(offline, 10)["base", "fallback"]["parents"] == [
        {"type": "CONFIGURABLE", "sku": "AAA-20"},
        {"type": "BUNDLE", "sku": "BUNDLE-21"},
    ]


def test_unlinked_or_deleted_parents_drop_out() -> None:
    offline = pipeline(*SIMPLE, *RELATED)
    offline.feed([delete("catalog_product_relation", {"parent_id": 21, "child_id": 10})])
    assert prices(offline, 10)["base", "fallback"]["parents"] == [
        {"type": "CONFIGURABLE", "sku": "CFG-20"}
    ]
    offline.feed(
        [delete("catalog_product_entity", {"entity_id": 20})]
    )  # the relation cascades unseen
    assert prices(offline, 10)["base", "fallback"]["parents"] == []
    assert offline.states["products"]["10"]["relations"] == []
    assert "20" not in offline.states["products"]["10"]["parent_summaries"]


def test_summaries_are_forwarded_only_when_they_change() -> None:
    offline = pipeline(*SIMPLE, *RELATED)
    parent = offline.states["products"]["20"]
    price = value(20, PRICE, 0, "30.000000")
    after = CATALOG_PROJECTOR.apply(parent, price)
    assert CATALOG_PROJECTOR.forwards(parent, after, "20") == []


def test_a_gone_peer_does_not_create_state_for_a_product_without_one() -> None:
    gone = forwarded(
        PRODUCT_GONE, after=None, before={"id": 10}, position=SourcePosition("", 0, 0, None, None)
    )
    assert CATALOG_PROJECTOR.apply(None, gone) is None


@pytest.mark.parametrize(
    ("type_id", "bundle_price_type", "sent"),
    [
        ("simple", None, "SIMPLE"),
        ("virtual", None, "SIMPLE"),  # a type the exporter does not name
        ("configurable", None, "CONFIGURABLE"),
        ("downloadable", None, "DOWNLOADABLE"),
        ("grouped", None, "GROUPED"),
        ("giftcard", None, "GIFTCARD"),
        ("bundle", None, "BUNDLE"),
        ("bundle", 1, "BUNDLE_FIXED"),
        ("bundle", 0, "BUNDLE_DYNAMIC"),
        (None, None, "SIMPLE"),
    ],
)
def test_types_are_sent_as_the_exporter_names_them(
    type_id: str | None, bundle_price_type: int | None, sent: str
) -> None:
    assert price_type(type_id, bundle_price_type) == sent


def test_a_bundles_own_type_says_whether_its_price_is_fixed() -> None:
    price_type_attribute = insert(
        "eav_attribute",
        {
            "attribute_id": 130,
            "entity_type_id": 4,
            "attribute_code": "price_type",
            "backend_type": "int",
            "frontend_input": "boolean",
            "is_user_defined": 0,
        },
    )
    fixed = {"value_id": 9001, "attribute_id": 130, "store_id": 0, "entity_id": 21, "value": 1}
    offline = pipeline(
        price_type_attribute,
        entity(21, "BUNDLE-21", "bundle"),
        insert("catalog_product_website", website(21, 1)),
    )
    assert {p["type"] for p in prices(offline, 21).values()} == {"BUNDLE"}  # not set: plain
    offline.feed([insert("catalog_product_entity_int", fixed)])
    assert {p["type"] for p in prices(offline, 21).values()} == {"BUNDLE_FIXED"}
    offline.feed(
        [change("catalog_product_entity_int", "u", before=fixed, after={**fixed, "value": 0})]
    )
    assert {p["type"] for p in prices(offline, 21).values()} == {"BUNDLE_DYNAMIC"}


_RULE_IDS = iter(range(1, 10_000))


def rule(day: str | int, group: int, price: str, website_id: int = 1) -> RowChange:
    """A ``catalogrule_product_price`` row of product 10 (a DATE: days since the epoch as
    Debezium sends it, or ISO text)."""
    return insert(
        "catalogrule_product_price",
        {
            "rule_product_price_id": next(_RULE_IDS),
            "rule_date": day,
            "customer_group_id": group,
            "product_id": 10,
            "rule_price": price,
            "website_id": website_id,
            "latest_start_date": None,
            "earliest_end_date": None,
        },
    )


def epoch_day(text: str) -> int:
    return (datetime.fromisoformat(text) - datetime(1970, 1, 1)).days


def test_a_catalog_rule_price_of_the_websites_day_is_a_discount_of_its_group() -> None:
    offline = pipeline(
        *SIMPLE,
        value(10, SPECIAL, 0, "19.000000"),
        rule(epoch_day("2026-03-10"), 1, "18.0000"),  # General, that day
        rule("2026-03-11", 1, "17.0000"),  # and the next (ISO text works too)
        rule(epoch_day("2026-03-10"), 2, "16.0000"),  # Wholesale
    )
    items = prices(offline, 10, at=instant("2026-03-10 12:00:00", LA))
    assert set(items) == {("base", "fallback"), ("base", "General"), ("base", "Wholesale")}
    assert items["base", "fallback"]["discounts"] == [
        {"code": "special_price", "price": "19.000000"}
    ]  # a rule price is never the fallback's
    assert items["base", "General"]["discounts"] == [
        {"code": "special_price", "price": "19.000000"},
        {"code": "catalog_rule", "price": "18.0000"},
    ]
    assert items["base", "Wholesale"]["discounts"][-1] == {
        "code": "catalog_rule",
        "price": "16.0000",
    }
    # The next day in Los Angeles: General's next row, Wholesale has none.
    items = prices(offline, 10, at=instant("2026-03-11 00:00:00", LA))
    assert set(items) == {("base", "fallback"), ("base", "General")}
    assert items["base", "General"]["discounts"][-1]["price"] == "17.0000"


def test_the_day_turns_at_the_websites_midnight_and_the_worker_is_told_when() -> None:
    offline = pipeline(
        *SIMPLE,
        insert("catalog_product_website", website(10, 2)),
        rule("2026-03-11", 1, "17.0000", website_id=1),
        rule("2026-03-11", 1, "27.0000", website_id=2),
    )
    state = offline.states["products"]["10"]
    # 23:00 in Berlin on the 10th is 14:00 in Los Angeles: Berlin's day turns first.
    late_in_berlin = instant("2026-03-10 23:00:00", BERLIN)
    assert next_price_change(state, offline.reference, at=late_in_berlin) == instant(
        "2026-03-11 00:00:00", BERLIN
    )
    assert set(prices(offline, 10, at=late_in_berlin)) == {
        ("base", "fallback"),
        ("second", "fallback"),
    }
    after_midnight = prices(offline, 10, at=instant("2026-03-11 00:00:00", BERLIN))
    assert after_midnight["second", "General"]["discounts"] == [
        {"code": "catalog_rule", "price": "27.0000"}
    ]
    assert ("base", "General") not in after_midnight  # still the 10th in Los Angeles
    # Once the last row's day is over in both websites, nothing is ahead.
    assert (
        next_price_change(state, offline.reference, at=instant("2026-03-12 01:00:00", LA)) is None
    )


def test_a_rule_row_deleted_by_the_indexer_takes_its_discount_away() -> None:
    row = rule("2026-03-10", 1, "18.0000")
    offline = pipeline(*SIMPLE, row)
    at = instant("2026-03-10 12:00:00", LA)
    assert ("base", "General") in prices(offline, 10, at=at)
    assert row.after is not None
    offline.feed([delete("catalogrule_product_price", row.after)])
    assert set(prices(offline, 10, at=at)) == {("base", "fallback")}


def test_the_settings_offset_moves_the_clock_the_build_reads() -> None:
    try:
        feeds.clock.set_offset(86_400.0)
        assert abs(feeds.prices.now() - (datetime.now(UTC).timestamp() + 86_400.0)) < 5
    finally:
        feeds.clock.set_offset(0.0)
