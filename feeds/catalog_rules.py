"""Catalog price rules: the prices Magento's catalog-rule indexer wrote for each day.

``catalogrule_product_price`` holds, per product, website, customer group and *day*
(``rule_date``), the price the product's active catalog rules give; Magento's indexer
writes a window of days around today and rewrites it as rules and days change. The exporter
(``ProductPriceDataExporter``'s ``CustomerGroupPricesQuery``) reads the row of the website's
current local date and sends it as a ``catalog_rule`` discount on the group's item.

A product's rows are kept in its state (``rule_prices``, by row id). Which of them applies
depends on the clock: when a website's local day turns, another row (or none) applies, so
``next_rule_change`` tells the worker to rebuild the product at the next local midnight of
every website it has rows for today or later.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from feeds.change import RowChange
from feeds.product_links import replace_row
from feeds.projector import State

__all__ = [
    "CATALOG_RULE_PRICE_TABLE",
    "apply_rule_price_change",
    "local_date",
    "next_rule_change",
    "rule_prices",
]

CATALOG_RULE_PRICE_TABLE = "catalogrule_product_price"
_KEPT = (
    "rule_product_price_id",
    "product_id",
    "website_id",
    "customer_group_id",
    "rule_date",
    "rule_price",
)
_EPOCH_DAY = date(1970, 1, 1)


def apply_rule_price_change(state: State, change: RowChange) -> State:
    """``state`` with one ``catalogrule_product_price`` row applied (a copy)."""
    held = state.get("rule_prices") or {}
    rows = replace_row(held, change, "rule_product_price_id", _KEPT)
    return {**state, "rule_prices": rows}


def local_date(moment: float, zone: ZoneInfo) -> date:
    """The calendar date in ``zone`` at ``moment`` (epoch seconds)."""
    return datetime.fromtimestamp(moment, zone).date()


def rule_prices(state: State, product_id: int, website_id: int, day: date) -> dict[int, str]:
    """Customer group id → the rule price of the product in the website on ``day``."""
    found: dict[int, str] = {}
    for row in (state.get("rule_prices") or {}).values():
        if int(row["product_id"]) != product_id or int(row["website_id"]) != website_id:
            continue
        if row.get("customer_group_id") is None or _day(row["rule_date"]) != day:
            continue
        found[int(row["customer_group_id"])] = str(row["rule_price"])
    return found


def next_rule_change(
    state: State, product_id: int, website_id: int, zone: ZoneInfo, moment: float
) -> float | None:
    """The website's next local midnight after ``moment`` if the product has rows there for
    its current day or later (the day's row stops applying, or a later one starts); None
    when no day ahead can change its prices."""
    today = local_date(moment, zone)
    ahead = any(
        int(row["product_id"]) == product_id
        and int(row["website_id"]) == website_id
        and _day(row["rule_date"]) >= today
        for row in (state.get("rule_prices") or {}).values()
    )
    if not ahead:
        return None
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return midnight.timestamp()


def _day(value: Any) -> date:
    """A DATE column's value: Debezium sends the days since the epoch; text is ISO."""
    if isinstance(value, int):
        return _EPOCH_DAY + timedelta(days=value)
    return date.fromisoformat(str(value)[:10])
