"""Pure tests of the sample's order taxes, credit memo comments and protect codes."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from connectors.magento.sample import SampleData, generate
from connectors.magento.sample import generator as sample_generator
from connectors.magento.sample.sales import orders as sample_orders
from tests.unit.connectors.conftest import rows_of


def test_taxes_and_comments_only_append_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    full = generate("tiny", 7)
    for step in ("add_order_taxes", "add_creditmemo_comments"):
        monkeypatch.setattr(sample_generator, step, lambda *_args: None)
    without = generate("tiny", 7)
    for name, table in without.tables.items():
        assert full.tables[name].rows[: len(table.rows)] == table.rows, name
    assert full.updates == without.updates
    for name in ("sales_order_tax", "sales_order_tax_item", "sales_creditmemo_comment"):
        assert name not in without.tables


def test_protect_codes_come_from_their_own_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    full = generate("tiny", 7)
    monkeypatch.setattr(sample_orders, "protect_code", lambda _rng: "fixed")
    fixed = generate("tiny", 7)
    for name, table in full.tables.items():
        if name == "sales_order":
            code = table.columns.index("protect_code")
            strip = [row[:code] + row[code + 1 :] for row in table.rows]
            assert strip == [row[:code] + row[code + 1 :] for row in fixed.tables[name].rows]
        else:
            assert fixed.tables[name].rows == table.rows, name


def test_every_order_has_a_distinct_protect_code(small: SampleData) -> None:
    codes = [r["protect_code"] for r in rows_of(small, "sales_order")]
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(c)) for c in codes)
    assert len(set(codes)) == len(codes)


def test_tax_rows_match_the_orders_amounts(small: SampleData) -> None:
    orders = {r["entity_id"]: r for r in rows_of(small, "sales_order")}
    items = {r["item_id"]: r for r in rows_of(small, "sales_order_item")}
    taxes = rows_of(small, "sales_order_tax")
    tax_items = rows_of(small, "sales_order_tax_item")
    assert taxes
    assert tax_items
    tax_of = {t["tax_id"]: t for t in taxes}
    assert len(tax_of) == len(taxes)
    assert Counter(t["order_id"] for t in taxes).most_common(1)[0][1] == 1  # one rate each
    shares: dict[object, Decimal] = {}
    for share in tax_items:
        tax = tax_of[share["tax_id"]]  # FK tax_id → sales_order_tax
        assert share["taxable_item_type"] == "product"  # the sample taxes no shipping
        item = items[share["item_id"]]  # FK item_id → sales_order_item
        assert item["order_id"] == tax["order_id"]
        assert item["parent_item_id"] is None  # the priced line carries the tax
        assert share["base_amount"] == item["base_tax_amount"]
        assert share["tax_percent"] == item["tax_percent"] == tax["percent"]
        shares[tax["tax_id"]] = shares.get(tax["tax_id"], Decimal(0)) + Decimal(
            str(share["base_amount"])
        )
    for tax in taxes:
        order = orders[tax["order_id"]]
        assert tax["base_amount"] == order["base_tax_amount"]
        assert tax["title"] == ("US Sales Tax" if order["base_currency_code"] == "USD" else "VAT")
        assert shares[tax["tax_id"]] == Decimal(str(order["base_tax_amount"]))
        assert Decimal(str(order["base_shipping_tax_amount"])) == 0
    assert len(tax_items) == sum(
        1 for i in items.values() if Decimal(str(i["base_tax_amount"])) > 0
    )


def test_some_credit_memos_have_comments(small: SampleData) -> None:
    memos = {r["entity_id"]: r for r in rows_of(small, "sales_creditmemo")}
    comments = rows_of(small, "sales_creditmemo_comment")
    assert comments
    per_memo = Counter(c["parent_id"] for c in comments)
    assert set(per_memo) <= set(memos)  # FK parent_id → sales_creditmemo
    assert len(per_memo) < len(memos)
    assert max(per_memo.values()) == 2
    for comment in comments:
        assert comment["created_at"] == memos[comment["parent_id"]]["created_at"]
        assert comment["comment"]
    assert [c["entity_id"] for c in comments] == list(range(1, len(comments) + 1))
