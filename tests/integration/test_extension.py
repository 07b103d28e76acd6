"""A feed an installed package adds (issue #15): examples/feedsync-reviews, on the real stack.

The package is installed into the virtualenv by deploy/local/bootstrap, as a merchant
would install theirs; its ``productReviews`` feed syncs end to end like a built-in one,
and uninstalling it takes the feed out of every command and of the captured tables.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedsync_reviews import search_keywords

from feedsync.settings import REPO_ROOT
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from tests.integration.magento_ops import execute, insert
from tests.integration.pipeline import running_pipeline

pytestmark = pytest.mark.integration

FEED = "productReviews"
PACKAGE = "feedsync-reviews"
EXAMPLE = REPO_ROOT / "examples" / PACKAGE


@pytest.fixture
def reviews(sql: Any) -> Iterator[list[int]]:
    """Twelve product reviews shown in store views 1 and 2 (every third only in 1), of
    each status, and one category review (which the feed leaves out); deleted after."""
    with sql.cursor() as cursor:
        cursor.execute("SELECT entity_id FROM catalog_product_entity ORDER BY entity_id LIMIT 12")
        products = [row[0] for row in cursor.fetchall()]
    tag = uuid.uuid4().hex[:6]
    made = []
    for n, product in enumerate(products):
        review = insert(sql, "review", entity_id=1, entity_pk_value=product, status_id=n % 3 + 1)
        insert(
            sql,
            "review_detail",
            review_id=review,
            store_id=1,
            title=f"Review {tag} {n}",
            detail=f"Fits well ({n})",
            nickname=f"shopper{n}",
        )
        for store in (1,) if n % 3 == 0 else (1, 2):
            insert(sql, "review_store", review_id=review, store_id=store)
        made.append(review)
    other = insert(sql, "review", entity_id=3, entity_pk_value=3, status_id=1)
    insert(
        sql,
        "review_detail",
        review_id=other,
        store_id=1,
        title="A category",
        detail="-",
        nickname="x",
    )
    insert(sql, "review_store", review_id=other, store_id=1)
    made.append(other)
    yield made
    for review in made:
        execute(sql, "DELETE FROM review WHERE review_id = %s", review)


def own(items: dict[str, dict[str, Any]], reviews: list[int]) -> list[dict[str, Any]]:
    """The live items of the fixture's reviews (the database may hold others)."""
    ids = {str(review) for review in reviews}
    return [i for i in items.values() if not i.get("deleted") and i.get("reviewId") in ids]


def test_the_example_extension_feed_syncs_end_to_end(
    stack: Stack, sql: Any, reviews: list[int], tmp_path: Path
) -> None:
    with running_pipeline(tmp_path, FEEDSYNC_STREAMS__FEEDS=f"{FEED},products") as pipeline:
        pipeline.wait_clean((FEED, "products"))
        # The package's field of the products feed, on every item the receiver holds.
        products = [i for i in pipeline.receiver.items("products").values() if not i.get("deleted")]
        assert products
        for item in products:
            assert item["searchKeywords"] == search_keywords(item)["searchKeywords"], item
        live = own(pipeline.receiver.items(FEED), reviews)
        assert len(live) == 4 * 1 + 8 * 2  # every third review in one store view only
        assert {item["status"] for item in live} == {"approved", "pending", "not_approved"}

        first, second, third = reviews[:3]
        execute(sql, "UPDATE review SET status_id = 1 WHERE review_id = %s", second)
        execute(sql, "UPDATE review_detail SET title = 'Edited' WHERE review_id = %s", first)
        execute(sql, "DELETE FROM review_store WHERE review_id = %s AND store_id = 2", second)
        execute(sql, "DELETE FROM review WHERE review_id = %s", third)  # cascades below the binlog
        pipeline.wait_clean((FEED,))
        live = own(pipeline.receiver.items(FEED), reviews)
        assert len(live) == 20 - 1 - 2  # a store view of the second, the third's two gone
        assert any(item["title"] == "Edited" for item in live)
        estimate = subprocess.run(
            [FEEDSYNC, "estimate", "--feed", FEED, "--json"],
            env=pipeline.worker.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert '"productReviews"' in estimate.stdout


def test_uninstalling_the_package_removes_the_feed(stack: Stack) -> None:
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "uninstall", "-y", PACKAGE], check=True, timeout=120)
    try:
        verify = subprocess.run(
            [FEEDSYNC, "verify", "--feed", FEED], capture_output=True, text=True, timeout=120
        )
        assert verify.returncode == 2, verify.stderr  # a ConfigError, named
        assert f"no projection for feed {FEED!r}" in verify.stderr
        worker = subprocess.run(
            [FEEDSYNC, "worker"],
            env={  # the stack's own settings (its ports), and nothing else of this process
                **{k: v for k, v in os.environ.items() if k.startswith("FEEDSYNC_")},
                "FEEDSYNC_STREAMS__FEEDS": FEED,
                "PATH": "/usr/bin:/bin",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert worker.returncode == 2
        assert f"names {FEED!r}, which is not a feed" in worker.stderr
        captured = subprocess.run(
            [
                sys.executable,
                "-c",
                "from feeds.registry import FEEDS, EXTENSIONS, CAPTURED_TABLES as t;"
                "print(len(FEEDS), len(EXTENSIONS),"
                " sorted(x for x in t if x.startswith('review')))",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        # 11 feeds, no extension (so no field added to products), no review table captured
        assert captured.stdout.split() == ["11", "0", "[]"]
    finally:
        subprocess.run(
            [*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(EXAMPLE)],
            check=True,
            timeout=300,
        )
