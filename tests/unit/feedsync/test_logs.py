from __future__ import annotations

import logging

import orjson

from feedsync.logs import REDACTED, JsonFormatter, redact


def test_personal_fields_are_masked_at_any_depth() -> None:
    order = {
        "commerceOrderId": 7,
        "customerEmail": "ann@example.com",
        "payment": {
            "billingAddress": {
                "firstname": "Ann",
                "street": ["1 Road"],
                "city": "Oslo",
                "phone": "+47 1234",
                "country": "NO",
            }
        },
        "items": [{"sku": "S-1", "name": "Shirt"}],
        "customerNote": None,
    }
    masked = redact(order)
    assert masked["customerEmail"] == REDACTED
    address = masked["payment"]["billingAddress"]
    assert address == {
        "firstname": REDACTED,
        "street": REDACTED,
        "city": REDACTED,
        "phone": REDACTED,
        "country": "NO",
    }
    assert masked["items"] == [{"sku": "S-1", "name": "Shirt"}]
    assert masked["customerNote"] is None
    assert order["customerEmail"] == "ann@example.com", "redact must not change its input"


def test_emails_inside_free_text_are_masked() -> None:
    assert redact({"comment": "call bob.smith@shop.example tomorrow"}) == {
        "comment": f"call {REDACTED} tomorrow"
    }


def test_free_text_is_masked_whatever_it_holds_keeping_only_the_names_of_pairs() -> None:
    item = {
        "additionalInformation": [{"name": "cc_owner", "value": "Ann Lee"}, None],
        "productOptions": '{"options":[{"value":"Happy birthday Ann"}]}',
        "options": {"engraving": {"text": "Ann", "price": 5}},
        "sku": "MUG-1",
    }
    assert redact(item) == {
        "additionalInformation": [{"name": "cc_owner", "value": REDACTED}, None],
        "productOptions": REDACTED,
        "options": {"engraving": {"text": REDACTED, "price": REDACTED}},
        "sku": "MUG-1",
    }
    assert redact({"product_options": None}) == {"product_options": None}


def test_json_formatter_writes_one_object_with_context_fields() -> None:
    record = logging.LogRecord(
        "feedsync.deliver",
        logging.INFO,
        __file__,
        1,
        "products: %d of %d items delivered",
        (3, 3),
        None,
    )
    record.feed, record.operation, record.request_id = "products", "deliver", "r-1"
    line = JsonFormatter().format(record)
    entry = orjson.loads(line)
    assert entry["message"] == "products: 3 of 3 items delivered"
    assert entry["level"] == "info"
    assert (entry["feed"], entry["operation"], entry["request_id"]) == (
        "products",
        "deliver",
        "r-1",
    )
    assert "\n" not in line
