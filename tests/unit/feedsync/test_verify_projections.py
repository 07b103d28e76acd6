"""verify's projections take each feed's name, identity and removability from its declaration
(``feeds.registry.FEEDS``), and nothing else from the stream code."""

from __future__ import annotations

import ast
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

import feedsync.verify
from feeds.registry import FEEDS as DECLARED
from feedsync.verify import FEEDS, FeedProjection, project

VERIFY = Path(feedsync.verify.__file__).parent

# What verify may import from feeds/: the item id contract and the feed declarations. The
# projection logic (projectors, builders, reference folding) stays on the stream side, so
# that verify remains an independent oracle.
# feeds.extension: an installed extension's own fields transform, which verify applies as
# the workers do (the extension's verify projection is its own SQL).
SHARED = {
    "feeds",
    "feeds.contract",
    "feeds.extension",
    "feeds.feed",
    "feeds.item",
    "feeds.registry",
}


def test_verify_knows_exactly_the_declared_feeds() -> None:
    assert sorted(FEEDS) == sorted(DECLARED)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_a_projection_takes_identity_and_removability_from_its_feed(name: str) -> None:
    projection, feed = FEEDS[name], DECLARED[name]
    assert projection.feed is feed
    assert projection.name == feed.name == name
    assert projection.identity == feed.identity
    assert projection.removable is feed.removable


def test_only_orders_are_kept_downstream() -> None:
    assert [name for name, projection in FEEDS.items() if not projection.removable] == ["orders"]


def test_a_projection_of_an_undeclared_feed_is_refused() -> None:
    with pytest.raises(KeyError, match="pricez"):
        FeedProjection.of("pricez", lambda _cursor: [])


def test_verify_imports_only_the_declarations_from_feeds() -> None:
    imported: dict[str, set[str]] = {}
    for path in sorted(VERIFY.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for module in names:
                if module.split(".")[0] in {"feeds", "streams"}:
                    imported.setdefault(module, set()).add(path.name)
    assert set(imported) <= SHARED, imported


class _Cursor:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def execute(self, statement: str) -> None:
        self.statements.append(statement)


class _Connection:
    def __init__(self) -> None:
        self.cursor_ = _Cursor()

    def cursor(self) -> AbstractContextManager[_Cursor]:
        return nullcontext(self.cursor_)


def test_project_keys_items_by_the_feeds_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    feed = DECLARED["orders"]
    payloads = [{"commerceOrderId": "a", "n": 1}, {"commerceOrderId": "b", "n": 2}]
    monkeypatch.setitem(FEEDS, "orders", FeedProjection(feed, lambda _cursor: payloads))
    connection: Any = _Connection()
    assert project(connection, "orders") == {feed.id_of(p): p for p in payloads}
    assert connection.cursor_.statements[-1] == "ROLLBACK"
