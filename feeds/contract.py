"""The exporter's record types (``adobe/contract.json``): a declaration the sender casts items
to (feeds/wire.py) and the contract test checks them against (feedsync/verify/contract.py).

Derived from ``magento/commerce-data-export``'s ``etc/et_schema.xml`` files at the commit it
names (docs/adobe/derive_contract.py, docs/adobe/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CONTRACT_PATH", "Contract", "Field"]

CONTRACT_PATH = Path(__file__).with_name("adobe") / "contract.json"

Field = Mapping[str, Any]  # {"type": ..., "repeated": bool}


@dataclass(frozen=True)
class Contract:
    """The exporter's record types, and which record each feed's items are."""

    feeds: Mapping[str, str]
    records: Mapping[str, Mapping[str, Field]]
    scalars: Mapping[str, str]
    envelope: Mapping[str, Field]
    commit: str
    # Records whose null fields the exporter leaves out: a field there may be absent.
    skip_null: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = CONTRACT_PATH) -> Contract:
        data = json.loads(path.read_text())
        return cls(
            feeds=data["feeds"],
            records=data["records"],
            scalars=data["scalars"],
            envelope=data["envelope"],
            commit=data["source"]["commit"],
            skip_null=frozenset(data.get("skip_null", ())),
        )

    def fields_of(self, feed: str) -> Mapping[str, Field] | None:
        """The fields of ``feed``'s items (its record's and the envelope's), or None for a
        feed the exporter has no record type for."""
        record = self.feeds.get(feed)
        if record is None:
            return None
        return {**self.envelope, **self.records[record]}
