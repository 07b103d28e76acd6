"""Property: after any sequence of catalog mutations (deletes that cascade included), once
the pipeline is idle every catalog feed verifies clean against the database.

Each example is 200+ random mutations on the real stack, then one convergence wait. A
failure prints the sequence as ``(kind, seed)`` pairs plus the SQL that ran; replay it with
``FEEDSYNC_PROPERTY_REPLAY='[["price", 17], ...]' pytest -k property``. Shrinking is off:
each example costs a full convergence on the real stack.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from tests.integration.catalog_mutations import MUTATIONS, apply
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration

CATALOG_FEEDS = (
    "products",
    "productAttributes",
    "categories",
    "prices",
    "variants",
    "productOverrides",
    "categoryPermissions",
    "inventoryStockStatus",
)
MUTATION_COUNT = 200
SEQUENCES = st.lists(
    st.tuples(st.sampled_from(sorted(MUTATIONS)), st.integers(min_value=0, max_value=10**6)),
    min_size=MUTATION_COUNT,
    max_size=MUTATION_COUNT + 40,
)


def _replayed() -> list[tuple[str, int]] | None:
    raw = os.environ.get("FEEDSYNC_PROPERTY_REPLAY")
    return None if raw is None else [(str(kind), int(seed)) for kind, seed in json.loads(raw)]


@settings(
    max_examples=int(os.environ.get("FEEDSYNC_PROPERTY_EXAMPLES", "1")),
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(sequence=SEQUENCES)
def test_random_catalog_mutations_converge(
    feeds_pipeline: Pipeline, sql: Any, sequence: list[tuple[str, int]]
) -> None:
    sequence = _replayed() or sequence
    note(f"sequence: {json.dumps(sequence)}")
    feeds_pipeline.wait_clean(CATALOG_FEEDS, timeout_s=300)  # start from a settled state
    statements = 0
    for kind, seed in sequence:
        for statement, args in apply(sql, kind, seed):
            statements += 1
            note(f"{kind}({seed}): {statement} {args}")
    # A mutation finds no target only rarely (e.g. no configurable left): most must have run.
    assert statements >= MUTATION_COUNT, f"only {statements} statements ran"
    feeds_pipeline.wait_clean(CATALOG_FEEDS, timeout_s=300)
