"""``feedsync dlq``: list, show, replay and purge dead letters, on the real stack."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_faults import rename
from tests.integration.test_resync import feedsync

pytestmark = pytest.mark.integration


def run_json(ops_pipeline: Pipeline, *args: str, expect: int = 0) -> dict[str, Any]:
    code, out, err = feedsync(ops_pipeline, *args, "--json")
    assert code == expect, f"exit {code}\n{out}\n{err}"
    assert out.strip(), f"no report printed; stderr:\n{err}"
    result: dict[str, Any] = json.loads(out)
    return result


def a_product(ops_pipeline: Pipeline, sql: Any) -> tuple[int, str]:
    """A product the receiver holds whose name no store view overrides, so that a rename at
    store 0 shows in every item of it."""
    held = {
        int(p["productId"])
        for p in ops_pipeline.receiver.items("products").values()
        if not p.get("deleted")
    }
    renamed_in_a_view = {
        int(entity_id)
        for (entity_id,) in execute(
            sql,
            "SELECT DISTINCT v.entity_id FROM catalog_product_entity_varchar v "
            "JOIN eav_attribute a ON a.attribute_id = v.attribute_id "
            "AND a.attribute_code = 'name' AND a.entity_type_id = 4 WHERE v.store_id > 0",
        )
    }
    product = sorted(held - renamed_in_a_view)[5]
    [(sku,)] = execute(sql, "SELECT sku FROM catalog_product_entity WHERE entity_id = %s", product)
    return product, str(sku)


def names_at_receiver(ops_pipeline: Pipeline, sku: str) -> set[str]:
    items = ops_pipeline.receiver.items("products").values()
    return {p["name"] for p in items if p.get("sku") == sku and not p.get("deleted")}


def item_ids_of(ops_pipeline: Pipeline, sku: str) -> set[str]:
    items = ops_pipeline.receiver.items("products")
    return {item_id for item_id, p in items.items() if p.get("sku") == sku}


def open_items(letters: list[dict[str, Any]]) -> set[str]:
    return {item_id for letter in letters for item_id in letter["open_items"]}


def open_letters(ops_pipeline: Pipeline, sku: str) -> list[dict[str, Any]]:
    listed = run_json(ops_pipeline, "dlq", "list", "--feed", "products", "--ids", sku)
    return [letter for letter in listed["letters"] if letter["open"]]


def test_a_refused_item_is_listed_shown_replayed_after_the_fix_and_purged(
    ops_pipeline: Pipeline, sql: Any
) -> None:
    product, sku = a_product(ops_pipeline, sql)
    tag = uuid.uuid4().hex[:6]
    ops_pipeline.receiver.set_faults(
        [{"status": 400, "feed": "products", "match": {"productId": product}}]
    )
    rename(sql, product, f"refused {tag}")
    item_ids = item_ids_of(ops_pipeline, sku)  # one per store view
    ops_pipeline.wait_until(
        lambda: open_items(open_letters(ops_pipeline, sku)) == item_ids, "the refused items parked"
    )
    letters = open_letters(ops_pipeline, sku)
    assert {(x["status"], x["error"], x["http_status"]) for x in letters} == {
        ("needs_attention", "EndpointRejected", 400)
    }
    listed = run_json(ops_pipeline, "dlq", "list", "--feed", "products")
    assert listed["counts"] == {"needs_attention terminal EndpointRejected": len(letters)}

    code, out, _err = feedsync(
        ops_pipeline, "dlq", "show", "--feed", "products", str(letters[0]["offset"])
    )
    assert code == 0
    shown = json.loads(out)
    assert {item["payload"]["name"] for item in shown["items"]} == {f"refused {tag}"}

    # Still refused: the replay fails again, and says so.
    run_json(ops_pipeline, "dlq", "replay", "--feed", "products", "--timeout", "60", expect=1)
    ops_pipeline.receiver.set_faults([])  # the endpoint is fixed
    replayed = run_json(ops_pipeline, "dlq", "replay", "--feed", "products")
    (feed,) = replayed["feeds"]
    assert feed["states"] == {"delivered": len(item_ids)}
    assert names_at_receiver(ops_pipeline, sku) == {f"refused {tag}"}
    assert open_letters(ops_pipeline, sku) == []

    purged_code, out, err = feedsync(ops_pipeline, "dlq", "purge", "--feed", "products", "--yes")
    assert purged_code == 0, err
    everything = run_json(ops_pipeline, "dlq", "list", "--feed", "products", "--all")
    assert everything["letters"] == []


def test_an_old_letter_never_puts_an_older_version_back(ops_pipeline: Pipeline, sql: Any) -> None:
    product, sku = a_product(ops_pipeline, sql)
    tag = uuid.uuid4().hex[:6]
    ops_pipeline.receiver.set_faults(
        [{"status": 400, "feed": "products", "match": {"productId": product}}]
    )
    rename(sql, product, f"old {tag}")
    ops_pipeline.wait_until(lambda: bool(open_letters(ops_pipeline, sku)), "the old version parked")
    ops_pipeline.receiver.set_faults([])
    rename(sql, product, f"new {tag}")  # a newer version, delivered
    ops_pipeline.wait_until(
        lambda: names_at_receiver(ops_pipeline, sku) == {f"new {tag}"},
        "the newer version delivered",
    )
    replayed = run_json(ops_pipeline, "dlq", "replay", "--feed", "products", "--ids", sku)
    (feed,) = replayed["feeds"]
    assert feed["to_send"] == 0  # the letter is closed: something newer was answered
    listed = run_json(ops_pipeline, "dlq", "list", "--feed", "products", "--ids", sku, "--all")
    assert listed["letters"], "the letter is still there to look at"
    assert names_at_receiver(ops_pipeline, sku) == {f"new {tag}"}


def test_the_scheduled_redrive_reports_what_it_did(ops_pipeline: Pipeline, sql: Any) -> None:
    product, sku = a_product(ops_pipeline, sql)
    tag = uuid.uuid4().hex[:6]
    # Longer than the live retry budget (8 s in tests): the live batch is dead-lettered as
    # will-retry, and the re-drive (every 3 s) delivers once the endpoint is back.
    ops_pipeline.receiver.set_faults(
        [{"status": 503, "feed": "products", "match": {"productId": product}, "duration_s": 15}]
    )
    rename(sql, product, f"retried {tag}")
    item_ids = item_ids_of(ops_pipeline, sku)

    def redriven() -> dict[str, Any] | None:
        listed = run_json(ops_pipeline, "dlq", "list", "--feed", "products", "--all")
        report: dict[str, Any] | None = listed["redrive"].get("products")
        return report if report and report["total"]["answered"] >= len(item_ids) else None

    ops_pipeline.wait_until(lambda: redriven() is not None, "the re-drive delivered", 120)
    report = redriven()
    assert report is not None
    # The report and the letters go into each message: a failure here once left no trace.
    letters = open_letters(ops_pipeline, sku)
    seen = f"report {report}; letters {letters}"
    assert names_at_receiver(ops_pipeline, sku) == {f"retried {tag}"}, seen
    assert report["last_at"] >= report["since"], seen
    assert report["last"]["answered"] == report["last"]["items"] >= 1, seen
    assert report["total"]["gave_up"] == 0, seen
    assert letters == [], seen
    _code, out, _err = feedsync(ops_pipeline, "status", "--feed", "products", "--json")
    health = json.loads(out)  # its exit code says whether other tests left items parked
    (products,) = [f for f in health["feeds"] if f["feed"] == "products"]
    assert products["redrive"]["total"] == report["total"], seen
