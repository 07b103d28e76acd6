"""The extension point (feeds/extension.py): loading, fields, and the example's projector."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from feeds import extension
from feeds.extension import FeedExtension, FieldExtension, add_fields, load_extensions, with_fields
from feeds.projector import ReferenceFeed
from feeds.reference import Reference
from feeds.registry import BUILTIN_PROJECTORS, BUILTIN_REFERENCE_FEEDS
from feeds.scopes import SCOPES_WEBSITE
from feedsync.errors import ConfigError


@dataclass(frozen=True)
class _Dist:
    name: str = "acme-feeds"


@dataclass
class _Point:
    name: str
    value: str
    loaded: Any
    dist: _Dist = field(default_factory=_Dist)

    def load(self) -> Any:
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


def _installed(monkeypatch: pytest.MonkeyPatch, *points: _Point) -> None:
    monkeypatch.setattr(extension, "entry_points", lambda group: list(points))


def test_an_extension_that_does_not_load_names_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _installed(monkeypatch, _Point("acme", "acme:EXT", ImportError("no module named acme")))
    with pytest.raises(ConfigError, match=r"'acme' .*failed to load") as failure:
        load_extensions()
    assert "pip uninstall acme-feeds" in str(failure.value.hint)


def test_an_entry_point_that_is_no_extension_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, _Point("acme", "acme:EXT", object()))
    with pytest.raises(ConfigError, match=r"is a object, not a feeds\.extension\.FeedExtension"):
        load_extensions()


def test_a_feed_without_a_verify_projection_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    projector = BUILTIN_PROJECTORS[-1]  # any projector: its feeds lack a verify projection
    _installed(monkeypatch, _Point("acme", "acme:EXT", FeedExtension("acme", (projector,))))
    with pytest.raises(ConfigError, match="declares no verify for orders"):
        load_extensions()


def test_fields_are_added_where_items_are_built_and_never_replace_one() -> None:
    slug = FieldExtension(
        "scopesWebsite", ("slug",), lambda p: {"slug": str(p["websiteCode"]).upper()}
    )
    websites = ReferenceFeed(SCOPES_WEBSITE, lambda _: [{"websiteCode": "base"}], frozenset())
    orders = replace(BUILTIN_PROJECTORS[-1], build=lambda s, r: {"orders": [{"id": "1"}]})
    projectors, references = with_fields([orders], [websites], [slug])
    assert references[0].build(Reference({})) == [{"websiteCode": "base", "slug": "BASE"}]
    assert projectors[0] is orders  # no field for its feeds: left as it was
    assert add_fields("products", {"sku": "A"}, [slug]) == {"sku": "A"}  # not its feed
    clash = FieldExtension("products", ("sku",), lambda p: {"sku": "B"})
    with pytest.raises(ValueError, match="would replace sku"):
        add_fields("products", {"sku": "A"}, [clash])
    sneaky = FieldExtension("products", ("slug",), lambda p: {"slug": "a", "other": 1})
    with pytest.raises(ValueError, match="adds other, which it does not declare"):
        add_fields("products", {"sku": "A"}, [sneaky])


def test_fields_for_a_feed_that_does_not_exist_are_refused() -> None:
    with pytest.raises(ConfigError, match="adds fields to pricez"):
        with_fields(
            BUILTIN_PROJECTORS, BUILTIN_REFERENCE_FEEDS, [FieldExtension("pricez", (), dict)]
        )
