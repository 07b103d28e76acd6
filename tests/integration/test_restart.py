"""A restarted worker takes up where it stopped: it rebuilds nothing unless a reference
change still owes a rebuild, and one that does is rebuilt even when the worker was killed
after applying the change and committing it, before asking for the rebuild. And a worker
restarted with its clock moved to just before a website's midnight rebuilds a product's
prices as that website's day turns (catalog-rule prices by day).

Until now every start rebuilt every entity, to cover that kill: minutes of work on the
medium profile, ahead of the changes that waited (bench/RESULTS.md, "Resume").
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feeds.values import customer_group_code
from feedsync.stack.orchestrate import Stack
from tests.integration.faults import worker_exit
from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline, static_member_pipeline

FEEDS = ("products", "prices")
CONVERGE_S = 300
UP_TO_DATE = "reference stage taken: its rebuilds are up to date"
OWED = "reference stage taken: its rebuilds lag behind it, rebuilding all"
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # the base website's zone in the sample
LEAD_S = 20  # from the restart to the moved clock's midnight


@pytest.fixture(scope="module")
def restarted(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """One static member of the products and prices feeds, converged, that the tests stop
    and start again (a restart takes seconds: its state is on disk)."""
    with static_member_pipeline(
        tmp_path_factory.mktemp("restart"), FEEDS, timeout_s=CONVERGE_S
    ) as pipeline:
        yield pipeline


def test_a_restart_rebuilds_only_what_a_reference_change_still_owes(
    restarted: Pipeline, sql: Any
) -> None:
    pipeline = restarted
    # A plain restart: the rebuilds of the first sync's reference rows are on record.
    pipeline.worker.stop()
    start = _log_size(pipeline)
    pipeline.worker.start()
    _wait_for_owner_check(pipeline, start)
    assert UP_TO_DATE in _log_since(pipeline, start)

    # Killed once an option's new label is applied and committed, before the rebuild
    # of the products that show it is asked for.
    pipeline.worker.stop()
    pipeline.worker.env["FEEDSYNC_STREAMS__CRASH_AT"] = "reference-applied-before-rebuild"
    pipeline.worker.start()
    _relabel_an_option_products_show(sql)
    assert worker_exit(pipeline, timeout_s=CONVERGE_S) == -signal.SIGKILL, (
        pipeline.worker.log_tail()
    )
    pipeline.worker.env.pop("FEEDSYNC_STREAMS__CRASH_AT")
    start = _log_size(pipeline)
    pipeline.worker.start()
    _wait_for_owner_check(pipeline, start)
    assert OWED in _log_since(pipeline, start)
    pipeline.wait_clean(FEEDS, timeout_s=CONVERGE_S)  # every product shows the new label


def test_a_catalog_rule_price_for_tomorrow_applies_after_the_websites_midnight(
    restarted: Pipeline, sql: Any
) -> None:
    """The worker (and verify) restarted on a clock moved to LEAD_S before Los Angeles'
    next midnight: General's rule price for the day after it shows only once that day has
    begun there, by the clock-driven rebuild of the product."""
    pipeline = restarted
    now = time.time()
    midnight = _next_midnight(now + LEAD_S, LOS_ANGELES)
    offset = midnight - (now + LEAD_S)  # the moved clock reaches it LEAD_S from now
    tomorrow = datetime.fromtimestamp(midnight, LOS_ANGELES).date()
    product, sku = execute(
        sql,
        "SELECT p.entity_id, p.sku FROM catalog_product_entity p "
        "JOIN catalog_product_website pw ON pw.product_id = p.entity_id AND pw.website_id = 1 "
        "WHERE p.entity_id NOT IN (SELECT product_id FROM catalogrule_product_price) "
        "AND p.entity_id NOT IN (SELECT entity_id FROM catalog_product_entity_tier_price) "
        "ORDER BY p.entity_id LIMIT 1 OFFSET 7",
    )[0]
    pipeline.worker.stop()
    pipeline.worker.env["FEEDSYNC_STREAMS__CLOCK_OFFSET_S"] = str(offset)
    pipeline.worker.start()
    execute(
        sql,
        "INSERT INTO catalogrule_product_price (rule_date, customer_group_id, product_id, "
        "rule_price, website_id) VALUES (%s, 1, %s, 3.2100, 1)",
        tomorrow,
        product,
    )
    general = customer_group_code(1)

    def general_item() -> dict[str, Any] | None:
        for item in pipeline.receiver.items("prices").values():
            if (item["sku"], item["websiteCode"], item["customerGroupCode"]) == (
                sku,
                "base",
                general,
            ) and not item["deleted"]:
                return item
        return None

    pipeline.wait_until(lambda: general_item() is not None, "General's rule price", 120)
    seen = time.time()
    item = general_item()
    assert item is not None
    # after any special price the product has (another test may have set one)
    assert item["discounts"][-1] == {"code": "catalog_rule", "price": 3.21}
    assert seen + offset >= midnight, "the rule price was sent before its day began"
    # (No verify on the moved clock: the items the worker built before its clock jumped
    # ahead stay as they were until their own next change, which a real clock never skips.)


def _next_midnight(moment: float, zone: ZoneInfo) -> float:
    day = datetime.fromtimestamp(moment, zone).date() + timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).timestamp()


def _relabel_an_option_products_show(sql: Any) -> None:
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT v.value_id FROM eav_attribute_option_value v "
            "JOIN eav_attribute_option o ON o.option_id = v.option_id "
            "JOIN eav_attribute a ON a.attribute_id = o.attribute_id "
            "JOIN catalog_product_entity_int i "
            "  ON i.attribute_id = a.attribute_id AND i.value = o.option_id "
            "WHERE a.is_user_defined = 1 AND v.store_id = 0 ORDER BY v.value_id LIMIT 1"
        )
        (value_id,) = cursor.fetchone()
        label = f"Relabelled {uuid.uuid4().hex[:6]}"
        statement = "UPDATE eav_attribute_option_value SET value = %s WHERE value_id = %s"
        assert cursor.execute(statement, (label, value_id)) == 1


def _log_size(pipeline: Pipeline) -> int:
    return pipeline.worker.log_path.stat().st_size


def _log_since(pipeline: Pipeline, offset: int) -> str:
    with pipeline.worker.log_path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def _wait_for_owner_check(pipeline: Pipeline, offset: int) -> None:
    pipeline.wait_until(
        lambda: "reference stage taken" in _log_since(pipeline, offset),
        "the restarted worker's check of the reference stage",
        CONVERGE_S,
    )
