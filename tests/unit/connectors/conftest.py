"""The generated sample data the connector tests share (generated once per module)."""

from __future__ import annotations

import pytest

from connectors.magento.sample import SampleData, generate


@pytest.fixture(scope="module")
def small() -> SampleData:
    return generate("small", 42)


@pytest.fixture(scope="module")
def medium() -> SampleData:
    return generate("medium", 42)


def rows_of(data: SampleData, table: str) -> list[dict[str, object]]:
    """A generated table's rows as column → value."""
    t = data.tables[table]
    return [dict(zip(t.columns, row, strict=True)) for row in t.rows]
