"""The replaced exporter's sizing formula, as feedsync estimate prints it."""

from __future__ import annotations

from feeds.registry import FEEDS
from feedsync.ops.estimate import ENTITY_COUNTS, adobe_seconds


def test_the_exporter_formula_counts_whole_batches_of_half_a_second() -> None:
    assert adobe_seconds(0, 100) == 0.0
    assert adobe_seconds(1, 100) == 0.5
    assert adobe_seconds(30_252, 100) == 151.5  # bench/RESULTS.md, products on medium
    assert adobe_seconds(90_756, 500) == 91.0


def test_every_feed_has_its_entity_count() -> None:
    assert set(ENTITY_COUNTS) == set(FEEDS)
