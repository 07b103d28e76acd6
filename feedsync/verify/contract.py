"""Feed items checked against the exporter's record types (``feeds/adobe/contract.json``).

A service that consumes Adobe's feeds reads items of the exporter's record types: field
names, nesting, and the JSON types its ``Transformer`` casts scalars to. ``problems`` walks
one item against its feed's record and names every difference by a path that does not
depend on the item (``attributes[].values[]``), so that the differences of thousands of
items collapse into a short list:

- ``unknown <path>``: a field the record does not have;
- ``type <path>: <expected>, not <found>``: a field of the wrong JSON type (``null`` is
  taken for any type: the exporter sends absent values as null);
- ``missing <path>``: a field of the record the item does not carry (except in a record
  whose null fields the exporter leaves out, ``skipNull``: there absent is null).

``docs/adobe/deviations.json`` lists the differences feedsync makes on purpose, each with
its reason, and the differences not made compatible yet (issue #14's work left); a feed
without a record upstream is listed there too. A field every item carries in the record's
shape but that holds only part of what upstream puts there (as ``optionsV2`` did while some
of upstream's option providers were not built) shows no difference of names or types: it is
listed as ``partial``, with what it lacks (nothing at present).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.contract import Contract

__all__ = ["Contract", "Deviations", "problems"]  # Contract: the declaration, re-exported

DOCS = Path(__file__).resolve().parents[2] / "docs" / "adobe"  # a checkout's, for the tests


@dataclass(frozen=True)
class Deviations:
    """Per feed: the differences made on purpose (problem → reason), those left to do, and
    the fields filled in part (field → what they lack)."""

    deliberate: Mapping[str, Mapping[str, str]]
    unrecorded: Mapping[str, str]  # feed → why the public exporter has no record for it
    left: Mapping[str, frozenset[str]]
    partial: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, path: Path = DOCS / "deviations.json") -> Deviations:
        data = json.loads(path.read_text())
        return cls(
            deliberate=data["deliberate"],
            unrecorded=data["unrecorded"],
            left={feed: frozenset(found) for feed, found in data["left"].items()},
            partial=data.get("partial", {}),
        )

    def accepted(self, feed: str) -> frozenset[str]:
        return frozenset(self.deliberate.get(feed, {})) | frozenset(self.deliberate.get("*", {}))


def problems(contract: Contract, feed: str, item: Mapping[str, Any]) -> set[str]:
    """Every difference between ``item`` and its feed's record type (none for a feed the
    contract has no record for: ``deviations.json`` says why)."""
    fields = contract.fields_of(feed)
    if fields is None:
        return set()
    if item.get("deleted"):  # a deleted item carries its identity only, upstream too
        fields = {name: f for name, f in fields.items() if name in item}
    found: set[str] = set()
    _walk(contract, fields, item, "", found)
    return found


def _walk(
    contract: Contract,
    fields: Mapping[str, Mapping[str, Any]],
    value: Mapping[str, Any],
    prefix: str,
    found: set[str],
    *,
    absent_is_null: bool = False,
) -> None:
    for name in value.keys() - fields.keys():
        found.add(f"unknown {prefix}{name}")
    for name, field in fields.items():
        path = f"{prefix}{name}"
        if name not in value:
            if not absent_is_null:
                found.add(f"missing {path}")
            continue
        _check(contract, field, value[name], path, found)


def _check(
    contract: Contract, field: Mapping[str, Any], value: Any, path: str, found: set[str]
) -> None:
    if value is None or not field["repeated"]:
        _check_one(contract, field["type"], value, path, found)
    elif not isinstance(value, list):
        found.add(f"type {path}: array, not {_json_type(value)}")
    else:
        for element in value:
            _check_one(contract, field["type"], element, f"{path}[]", found)


def _check_one(contract: Contract, kind: str, value: Any, path: str, found: set[str]) -> None:
    if value is None:
        return
    if kind in contract.records:
        if not isinstance(value, dict):
            found.add(f"type {path}: object, not {_json_type(value)}")
            return
        _walk(
            contract,
            contract.records[kind],
            value,
            f"{path}.",
            found,
            absent_is_null=kind in contract.skip_null,
        )
        return
    expected = contract.scalars[kind]
    actual = _json_type(value)
    if actual != expected and not (expected == "number" and actual == "integer"):
        found.add(f"type {path}: {expected}, not {actual}")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
