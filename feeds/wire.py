"""Items as they go on the wire: cast to the JSON types of the exporter's record types.

Inside the pipeline an item keeps the values its projector built: ids as the integers the
database holds, DECIMAL amounts and quantities as the column's digits in a string (never a
binary float, which would round them). A service that reads Adobe's feeds expects the
exporter's types (``adobe/contract.json``, derived from its ``et_schema.xml`` files; its
``Transformer`` casts ``ID`` and ``String`` to strings, ``Int`` to integers, ``Float`` to
numbers, ``Boolean`` to booleans). ``to_wire`` makes that cast when a batch is sent, so the
state, hashes and versions inside stay as they are: a decimal becomes a JSON number written
with the column's own digits (an ``orjson.Fragment``), an integer id a string.

A field the record does not have, and a value that cannot be cast without loss (text where
a number is expected), is sent as it is: the contract test names those differences
(tests/integration/test_adobe_contract.py, docs/adobe/deviations.json).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import orjson

from feeds.contract import Contract, Field

__all__ = ["contract", "to_wire"]

# A JSON number as a DECIMAL column prints it: sign, digits, optional fraction.
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")


@cache
def contract() -> Contract:
    return Contract.load()


@cache
def _fields_of(feed: str) -> Mapping[str, Field] | None:
    """A feed's fields (record and envelope), merged once per feed, not once per item."""
    return contract().fields_of(feed)


def to_wire(feed: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """``payload`` with every value of a field the feed's record types cast to its JSON
    type; the payload itself when the feed has no record type upstream."""
    fields = _fields_of(feed)
    if fields is None:
        return payload
    return _object(contract(), fields, payload)


def _object(
    wire_contract: Contract, fields: Mapping[str, Field], value: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        name: _value(wire_contract, fields[name], item) if name in fields else item
        for name, item in value.items()
    }


def _value(wire_contract: Contract, field: Field, value: Any) -> Any:
    kind = field["type"]
    if field["repeated"] and isinstance(value, list):
        return [_of_type(wire_contract, kind, v) for v in value]
    if field["repeated"]:
        return value
    return _of_type(wire_contract, kind, value)


def _of_type(wire_contract: Contract, kind: str, value: Any) -> Any:
    if value is None:
        return None
    record = wire_contract.records.get(kind)
    if record is not None:
        return _object(wire_contract, record, value) if isinstance(value, Mapping) else value
    return _scalar(wire_contract.scalars[kind], value)


def _scalar(json_type: str, value: Any) -> Any:
    if json_type == "string":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value
    if json_type == "number":
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            return orjson.Fragment(value)  # the column's digits, never a binary float
        return value
    if json_type == "integer":
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        if isinstance(value, str) and _DECIMAL.fullmatch(value):  # a DECIMAL qty: "2.0000"
            whole, _, fraction = value.partition(".")
            if not fraction.strip("0"):
                return int(whole)  # nothing lost; "2.5000" stays text, the test names it
        return value
    if json_type == "boolean" and isinstance(value, int) and value in (0, 1):
        return bool(value)
    return value
