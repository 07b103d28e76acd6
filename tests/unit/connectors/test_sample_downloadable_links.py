"""The sample's downloadable links: on every downloadable, with the shapes the products feed
has rules for (store-view titles, per-website prices, samples, unlimited downloads) and the
products' links_title heading and links_purchased_separately flag."""

from __future__ import annotations

import pytest

from connectors.magento.sample import SampleData, generate
from connectors.magento.sample import generator as sample_generator
from connectors.magento.sample.fixed_ids import DOWNLOADABLE_ATTRIBUTE_IDS
from tests.unit.connectors.conftest import rows_of


def test_every_downloadable_has_one_to_three_links_and_nothing_else_has_any(
    small: SampleData,
) -> None:
    downloadable = {
        r["entity_id"]
        for r in rows_of(small, "catalog_product_entity")
        if r["type_id"] == "downloadable"
    }
    links = rows_of(small, "downloadable_link")
    per_product: dict[object, int] = {}
    for link in links:
        per_product[link["product_id"]] = per_product.get(link["product_id"], 0) + 1
    assert set(per_product) == downloadable
    assert set(per_product.values()) == {1, 2, 3}
    assert {link["number_of_downloads"] == 0 for link in links} == {True, False}
    samples = {(link["sample_url"] is not None, link["sample_file"] is not None) for link in links}
    assert samples == {(True, False), (False, True), (False, False)}


def test_titles_and_prices_name_existing_links_at_store_and_website_0_and_beyond(
    small: SampleData,
) -> None:
    links = {link["link_id"]: link for link in rows_of(small, "downloadable_link")}
    titles = rows_of(small, "downloadable_link_title")
    assert {t["link_id"] for t in titles if t["store_id"] == 0} == set(links)
    assert any(t["store_id"] != 0 for t in titles)
    assert len({(t["link_id"], t["store_id"]) for t in titles}) == len(titles)  # unique key
    prices = rows_of(small, "downloadable_link_price")
    assert {p["link_id"] for p in prices if p["website_id"] == 0} == set(links)
    assert any(p["website_id"] != 0 for p in prices)
    assert len({(p["link_id"], p["website_id"]) for p in prices}) == len(prices)
    assert any(p["price"] == "0.0000" for p in prices)  # a free link


def test_every_downloadable_has_a_links_title_some_per_store_view(small: SampleData) -> None:
    attribute_id = DOWNLOADABLE_ATTRIBUTE_IDS["links_title"]
    values = [
        r
        for r in rows_of(small, "catalog_product_entity_varchar")
        if r["attribute_id"] == attribute_id
    ]
    linked = {link["product_id"] for link in rows_of(small, "downloadable_link")}
    assert {r["entity_id"] for r in values if r["store_id"] == 0} == linked
    assert any(r["store_id"] != 0 for r in values)


def test_every_downloadable_says_whether_its_links_sell_one_by_one(small: SampleData) -> None:
    """links_purchased_separately is global in Magento: store 0 only, yes and no both."""
    attribute_id = DOWNLOADABLE_ATTRIBUTE_IDS["links_purchased_separately"]
    values = [
        r for r in rows_of(small, "catalog_product_entity_int") if r["attribute_id"] == attribute_id
    ]
    linked = {link["product_id"] for link in rows_of(small, "downloadable_link")}
    assert {r["store_id"] for r in values} == {0}
    assert sorted(r["entity_id"] for r in values) == sorted(linked)
    assert {r["value"] for r in values} == {0, 1}


def test_the_links_step_only_appends_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    full = generate("tiny", 7)
    monkeypatch.setattr(sample_generator, "add_downloadable_links", lambda *_args: None)
    without = generate("tiny", 7)
    for name, table in without.tables.items():
        assert full.tables[name].rows[: len(table.rows)] == table.rows, name
    assert full.updates == without.updates
