"""Every item of every feed on the small profile against the exporter's record types
(docs/adobe/contract.json): names, nesting and JSON types.

What differs is either made on purpose (``deliberate`` in docs/adobe/deviations.json, each
with its reason) or listed as not compatible yet (``left``: issue #14's work). The test
fails on any other difference, and on a difference listed as left that no item shows any
more (it was fixed: take it off the list), so the list only shrinks. A field listed as
``partial`` (filled from some of upstream's providers only) must be one every item carries.
"""

from __future__ import annotations

import pytest

from feeds.extension import added_fields
from feeds.registry import BUILTIN_FEEDS, EXTENSIONS, FEEDS
from feedsync.verify.contract import Contract, Deviations, problems
from feedsync.verify.projections import FEEDS as PROJECTIONS
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration

# The exporter's feeds (an installed extension's have no upstream record).
ALL_FEEDS = tuple(f for f in FEEDS if f in PROJECTIONS and f in BUILTIN_FEEDS)
EXTENSION_FIELDS = [field for extension in EXTENSIONS for field in extension.fields]


def test_every_item_of_every_feed_is_of_the_exporters_record_type(
    feeds_pipeline: Pipeline,
) -> None:
    feeds_pipeline.wait_clean(ALL_FEEDS, timeout_s=300)
    contract, deviations = Contract.load(), Deviations.load()
    unexpected: dict[str, list[str]] = {}
    gone: dict[str, list[str]] = {}
    for feed in ALL_FEEDS:
        items = feeds_pipeline.receiver.items(feed).values()
        if not items:  # verify is clean: the database has none (a stack's tests removed them)
            continue
        found: set[str] = set()
        for item in items:
            found |= problems(contract, feed, item)
        # Fields an installed extension adds are the merchant's, not the exporter's.
        found -= {f"unknown {name}" for name in added_fields(feed, EXTENSION_FIELDS)}
        left = deviations.left.get(feed, frozenset())
        if extra := sorted(found - deviations.accepted(feed) - left):
            unexpected[feed] = extra
        if fixed := sorted(left - found):
            gone[feed] = fixed
        # A field listed as filled in part is one every item carries.
        if absent := sorted(
            {f"missing {name}" for name in deviations.partial.get(feed, {})} & found
        ):
            unexpected.setdefault(feed, []).extend(absent)
    assert not unexpected, (
        f"differences from upstream's records, not in deviations.json: {unexpected}"
    )
    assert not gone, f"listed as left in deviations.json but no item shows them: {gone}"
