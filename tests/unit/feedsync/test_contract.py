"""Items against the exporter's record types (feedsync/verify/contract.py), on a tiny
contract, and the checked-in contract's own shape."""

from __future__ import annotations

from dataclasses import replace

from feeds.registry import BUILTIN_FEEDS
from feedsync.verify.contract import Contract, Deviations, problems

SCALARS = {
    "ID": "string",
    "String": "string",
    "Int": "integer",
    "Float": "number",
    "Boolean": "boolean",
}
CONTRACT = Contract(
    feeds={"things": "Thing"},
    records={
        "Thing": {
            "id": {"type": "ID", "repeated": False},
            "qty": {"type": "Float", "repeated": False},
            "tags": {"type": "String", "repeated": True},
            "parts": {"type": "Part", "repeated": True},
        },
        "Part": {"partId": {"type": "Int", "repeated": False}},
    },
    scalars=SCALARS,
    envelope={"deleted": {"type": "Boolean", "repeated": False}},
    commit="0" * 40,
)


def test_an_item_of_the_record_has_no_problem() -> None:
    item = {"id": "1", "qty": 1.5, "tags": ["a"], "parts": [{"partId": 2}], "deleted": False}
    assert problems(CONTRACT, "things", item) == set()


def test_an_integer_is_a_number_and_null_is_any_type() -> None:
    item = {"id": None, "qty": 3, "tags": None, "parts": [], "deleted": False}
    assert problems(CONTRACT, "things", item) == set()


def test_wrong_types_unknown_and_missing_fields_are_named_by_path() -> None:
    item = {"id": 1, "qty": "1.50", "tags": "a", "parts": [{"partId": "2", "x": 1}], "extra": 0}
    assert problems(CONTRACT, "things", item) == {
        "type id: string, not integer",
        "type qty: number, not string",
        "type tags: array, not string",
        "type parts[].partId: integer, not string",
        "unknown parts[].x",
        "unknown extra",
        "missing deleted",
    }


def test_a_deleted_item_is_not_missing_what_it_does_not_carry() -> None:
    assert problems(CONTRACT, "things", {"id": "1", "deleted": True}) == set()
    assert problems(CONTRACT, "things", {"id": 1, "deleted": True}) == {
        "type id: string, not integer"
    }


def test_a_field_of_a_skip_null_record_may_be_absent_but_not_of_another() -> None:
    two_fields = {
        **CONTRACT.records,
        "Part": {"partId": {"type": "Int", "repeated": False}, "w": {"type": "Float"}},
    }
    contract = replace(CONTRACT, records=two_fields)
    item = {"id": "1", "qty": 1, "tags": [], "parts": [{"partId": 2}], "deleted": False}
    assert problems(contract, "things", item) == {"missing parts[].w"}
    skipping = replace(contract, skip_null=frozenset({"Part"}))
    assert problems(skipping, "things", item) == set()
    assert problems(skipping, "things", {**item, "id": None, "qty": None}) == set()
    assert problems(skipping, "things", {k: v for k, v in item.items() if k != "qty"}) == {
        "missing qty"  # Thing is not a skip-null record
    }


def test_the_checked_in_contract_skips_nulls_where_the_exporter_does() -> None:
    assert Contract.load().skip_null == {"DiscountPrice", "TierPrice"}


def test_a_feed_without_a_record_upstream_is_not_checked() -> None:
    assert problems(CONTRACT, "overrides", {"anything": 1}) == set()


def test_the_checked_in_contract_names_a_record_for_every_feed_it_lists() -> None:
    contract = Contract.load()
    assert len(contract.commit) == 40
    assert contract.feeds["products"] == "Product"
    for record in contract.feeds.values():
        assert record in contract.records
    for fields in contract.records.values():
        for field in fields.values():
            assert field["type"] in contract.records or field["type"] in contract.scalars


def test_every_deliberate_deviation_has_a_reason_and_every_feed_a_record_or_a_reason() -> None:
    deviations = Deviations.load()
    for reasons in deviations.deliberate.values():
        assert all(reason.strip() for reason in reasons.values())
    contract = Contract.load()
    for feed in BUILTIN_FEEDS:  # an installed extension's feeds are no exporter's
        assert feed in contract.feeds or deviations.unrecorded.get(feed, "").strip(), feed


def test_every_partial_field_is_a_field_of_its_feeds_record_with_what_it_lacks() -> None:
    contract, deviations = Contract.load(), Deviations.load()
    for feed, fields in deviations.partial.items():
        record = contract.fields_of(feed)
        assert record is not None, feed
        for name, lacks in fields.items():
            assert name in record, (feed, name)
            assert lacks.strip(), (feed, name)
