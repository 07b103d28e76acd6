"""Compare the expected items of a feed with what the receiver holds.

Three kinds of discrepancy, each counted in full and illustrated by a few examples:

- *missing*: an expected item the receiver lacks, or holds as deleted;
- *stale*: an item both sides have whose payloads differ (``modifiedAt``, build time, and the
  wire-only ``itemId`` and ``itemVersion`` are ignored; everything else, ``updatedAt``
  included, must match);
- *extra*: an item the receiver holds as not deleted that the source does not project.

A feed whose items are never removed downstream (orders) keeps items the source lost: those
are counted as *kept*, which is not a discrepancy.

Values are compared by type as well as by value: JSON ``1``, ``1.0`` and ``true`` differ, as
they would on the wire, although Python considers them equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

__all__ = [
    "IGNORED_FIELDS",
    "SOURCE_CHANGE_TIME",
    "Discrepancy",
    "Findings",
    "Report",
    "compare",
    "field_diff",
]

IGNORED_FIELDS = frozenset({"modifiedAt", "itemId", "itemVersion"})
# An expected value no table holds: when a change was committed at the source. The received
# value matches it when it is an RFC 3339 UTC time to the second (the pipeline's format).
SOURCE_CHANGE_TIME = "<the time of a source change>"
_UTC_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
DEFAULT_EXAMPLES = 10
_MAX_DIFFS = 5
_MAX_VALUE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One example: the item id, its identity fields (name, value) and what is wrong with it."""

    item_id: str
    identity: tuple[tuple[str, Any], ...]
    details: tuple[str, ...]

    def render(self) -> str:
        """One line: the id, the identity fields when known, then the details."""
        who = " ".join(f"{name}={value}" for name, value in self.identity)
        head = f"{self.item_id} ({who})" if who else self.item_id
        return f"{head}: {'; '.join(self.details)}"


@dataclass(frozen=True, slots=True)
class Findings:
    """How many items have one kind of discrepancy, with the first few as examples."""

    count: int = 0
    examples: tuple[Discrepancy, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of comparing one feed: counts on both sides and the discrepancies."""

    feed: str
    expected: int
    received: int
    received_deleted: int
    missing: Findings = field(default_factory=Findings)
    stale: Findings = field(default_factory=Findings)
    extra: Findings = field(default_factory=Findings)
    kept: int = 0  # not-removable feeds: items the source no longer has, kept downstream
    # What the source holds that no feed can resolve (shown, not counted): e.g. one SKU held
    # by several products, whose shared items follow whichever product changed last.
    source_warnings: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """True when the receiver holds exactly the expected items."""
        return not (self.missing.count or self.stale.count or self.extra.count)

    def render(self) -> str:
        """A short human-readable account for the CLI."""
        name = self.feed or "feed"
        counts = (
            f"{self.expected} expected, receiver holds {self.received} "
            f"(+{self.received_deleted} deleted)"
        )
        if self.kept:
            counts += f", {self.kept} kept though gone from the source"
        warnings = [f"  source  {warning}" for warning in self.source_warnings]
        if self.clean:
            return "\n".join([f"verify {name}: OK — {counts}", *warnings])
        lines = [
            f"verify {name}: MISMATCH — {counts}",
            f"  missing {self.missing.count}, stale {self.stale.count}, extra {self.extra.count}",
            *warnings,
        ]
        for kind, findings in (
            ("missing", self.missing),
            ("stale", self.stale),
            ("extra", self.extra),
        ):
            lines.extend(f"  {kind:<7} {example.render()}" for example in findings.examples)
            if findings.count > len(findings.examples):
                lines.append(f"  {kind:<7} … {findings.count - len(findings.examples)} more")
        return "\n".join(lines)


def compare(
    expected: Mapping[str, Mapping[str, Any]],
    received: Mapping[str, Mapping[str, Any]],
    *,
    feed: str = "",
    identity: Sequence[str] = (),
    examples: int = DEFAULT_EXAMPLES,
    removable: bool = True,
) -> Report:
    """Compare expected payloads with the receiver's, both keyed by itemId.

    ``identity`` names the payload fields shown beside each example's id (e.g. ``sku``,
    ``storeViewCode``); ``examples`` caps the examples kept per kind (counts stay exact).
    ``removable=False`` (orders) counts received items the source lacks as kept, not extra.
    """
    missing: list[Discrepancy] = []
    stale: list[Discrepancy] = []
    extra: list[Discrepancy] = []

    def note(into: list[Discrepancy], key: str, payload: Mapping[str, Any], *details: str) -> None:
        if len(into) < examples:
            into.append(Discrepancy(key, tuple((f, payload.get(f)) for f in identity), details))

    counts = {"missing": 0, "stale": 0, "extra": 0}
    # Sorted ids make the examples (and so the CLI output) repeatable from run to run.
    for key in sorted(expected):
        want = expected[key]
        have = received.get(key)
        if have is None:
            counts["missing"] += 1
            note(missing, key, want, "not on the receiver")
        elif bool(have.get("deleted")):
            counts["missing"] += 1
            note(missing, key, want, "deleted on the receiver")
        else:
            want_cmp, have_cmp = _comparable(_settled(want, have)), _comparable(have)
            # Canonical bytes first: one dump per side is far cheaper than walking every
            # field of tens of thousands of equal items; the walk runs only on a mismatch.
            if _json(want_cmp) != _json(have_cmp):
                counts["stale"] += 1
                note(stale, key, want, *field_diff(want_cmp, have_cmp))
    deleted = kept = 0
    for key in sorted(received):
        have = received[key]
        if bool(have.get("deleted")):
            deleted += 1
        elif key not in expected and not removable:
            kept += 1
        elif key not in expected:
            counts["extra"] += 1
            note(extra, key, have, "not in the source")
    return Report(
        feed=feed,
        expected=len(expected),
        received=len(received) - deleted,
        received_deleted=deleted,
        missing=Findings(counts["missing"], tuple(missing)),
        stale=Findings(counts["stale"], tuple(stale)),
        extra=Findings(counts["extra"], tuple(extra)),
        kept=kept,
    )


def field_diff(expected: Any, received: Any, *, limit: int = _MAX_DIFFS) -> list[str]:
    """Field-level differences as ``path: expected X, received Y`` lines (at most ``limit``,
    the last one saying how many more there were); empty when the values are equal."""
    diffs: list[str] = []
    _walk(expected, received, "", diffs)
    if len(diffs) > limit:
        return [*diffs[: limit - 1], f"… {len(diffs) - limit + 1} more differences"]
    return diffs


def _settled(want: Mapping[str, Any], have: Mapping[str, Any]) -> Mapping[str, Any]:
    """``want`` with each ``SOURCE_CHANGE_TIME`` taken as the received value when that is a
    time of the pipeline's format (left as it is otherwise, so the diff names the field)."""
    times = [k for k, v in want.items() if v == SOURCE_CHANGE_TIME]
    if not times:
        return want
    settled = dict(want)
    for key in times:
        value = have.get(key)
        if isinstance(value, str) and _UTC_SECOND.fullmatch(value):
            settled[key] = value
    return settled


def _comparable(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _canonical(v) for k, v in payload.items() if k not in IGNORED_FIELDS}


def _canonical(value: Any) -> Any:
    """A value compared by what it says, not its JSON type: the sender casts items to the
    exporter's types (an id 2 goes as "2", a DECIMAL "19.9900" as the number 19.9900, which
    a receiver may read as 19.99), and the projection here stays independent of that code:
    numbers and numeric text compare as their decimal value. Types are the contract test's
    business (tests/integration/test_adobe_contract.py)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return _number(str(value))
    if isinstance(value, str) and value[:1] in _NUMBER_STARTS:
        return _number(value)
    return value


_NUMBER_STARTS = frozenset("-0123456789")


def _number(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return format(number.normalize(), "f")


def _walk(expected: Any, received: Any, path: str, diffs: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(received, dict):
        for key in sorted(expected.keys() | received.keys()):
            where = f"{path}.{key}" if path else str(key)
            if key not in received:
                diffs.append(f"{where}: expected {_short(expected[key])}, received nothing")
            elif key not in expected:
                diffs.append(f"{where}: unexpected, received {_short(received[key])}")
            else:
                _walk(expected[key], received[key], where, diffs)
    elif isinstance(expected, list) and isinstance(received, list):
        if len(expected) != len(received):
            diffs.append(
                f"{path}: expected {len(expected)} entries {_short(expected)}, "
                f"received {len(received)} {_short(received)}"
            )
            return
        for index, (want, have) in enumerate(zip(expected, received, strict=True)):
            _walk(want, have, f"{path}[{index}]", diffs)
    elif _json(expected) != _json(received):
        diffs.append(f"{path}: expected {_short(expected)}, received {_short(received)}")


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _short(value: Any) -> str:
    text = _json(value).decode()
    if len(text) > _MAX_VALUE_CHARS:
        return text[: _MAX_VALUE_CHARS - 1] + "…"
    return text
