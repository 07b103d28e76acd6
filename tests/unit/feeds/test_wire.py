"""Items cast to the exporter's record types as they are sent (feeds/wire.py)."""

from __future__ import annotations

import orjson

from feeds.wire import contract, to_wire


def sent(feed: str, payload: dict[str, object]) -> bytes:
    return orjson.dumps(to_wire(feed, payload))


def test_ids_go_as_strings_and_nested_records_are_cast_too() -> None:
    website = {
        "websiteId": 2,
        "websiteCode": "second",
        "stores": [{"storeId": 2, "storeCode": "s", "storeViews": [{"storeViewId": 3}]}],
        "deleted": False,
    }
    assert orjson.loads(sent("scopesWebsite", website)) == {
        "websiteId": "2",
        "websiteCode": "second",
        "stores": [{"storeId": "2", "storeCode": "s", "storeViews": [{"storeViewId": "3"}]}],
        "deleted": False,
    }


def test_decimals_go_as_json_numbers_with_the_columns_own_digits() -> None:
    big = "12345678901234.123456"  # more digits than a binary float holds
    body = sent("inventoryStockStatus", {"qty": big, "qtyForSale": "-0.5000", "stockId": 1})
    assert body == b'{"qty":12345678901234.123456,"qtyForSale":-0.5000,"stockId":"1"}'


def test_what_cannot_be_cast_without_loss_and_fields_unknown_upstream_go_as_they_are() -> None:
    payload = {"qty": "n/a", "qtyForSale": None, "attributeOptions": [1], "itemId": 7}
    assert to_wire("inventoryStockStatus", payload) == payload


def test_integers_and_booleans_from_text_and_flags() -> None:
    assert to_wire("prices", {"productId": "12", "websiteId": "1"}) == {
        "productId": 12,
        "websiteId": 1,
    }
    assert to_wire("inventoryStockStatus", {"isSalable": 1, "infiniteStock": 0}) == {
        "isSalable": True,
        "infiniteStock": False,
    }


def test_a_feed_without_a_record_upstream_goes_as_it_is() -> None:
    payload = {"categoryId": 5, "deleted": False}
    assert "categoryPermissions" not in contract().feeds
    assert to_wire("categoryPermissions", payload) is payload


def test_a_decimal_with_no_fraction_is_an_integer_where_the_record_wants_one() -> None:
    order = {"items": [{"qty": "2.0000"}, {"qty": "2.5000"}, {"qty": "-1.0"}]}
    assert to_wire("orders", order) == {"items": [{"qty": 2}, {"qty": "2.5000"}, {"qty": -1}]}
