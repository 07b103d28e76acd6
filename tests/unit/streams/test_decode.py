from __future__ import annotations

import contextlib

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.decode import MalformedRecord, decode

SOURCE = {
    "version": "3.5.0.Final",
    "connector": "mariadb",
    "name": "magento",
    "ts_ms": 1700000000000,
    "snapshot": "false",
    "db": "magento",
    "table": "catalog_product_entity_varchar",
    "server_id": 1,
    "gtid": "0-1-42",
    "file": "mariadb-bin.000003",
    "pos": 1234,
    "row": 0,
}


def envelope(op: str, before: object, after: object, **source: object) -> bytes:
    return orjson.dumps(
        {"before": before, "after": after, "op": op, "source": {**SOURCE, **source}, "ts_ms": 1}
    )


def test_update_decodes_with_before_after_and_position() -> None:
    before, after = {"value_id": 7, "value": "a"}, {"value_id": 7, "value": "b"}
    change = decode(b'{"value_id":7}', envelope("u", before, after))
    assert change is not None
    assert change.table == "catalog_product_entity_varchar"
    assert change.op == "u"
    assert change.key == {"value_id": 7}
    assert (change.before, change.after) == (before, after)
    assert change.position.version == (3 << 44) | (1234 << 12)
    assert change.position.gtid == "0-1-42"
    assert change.position.snapshot is None
    assert change.row == after


def test_delete_row_is_the_before_image() -> None:
    change = decode(b'{"value_id":7}', envelope("d", {"value_id": 7, "value": "a"}, None))
    assert change is not None
    assert change.deleted
    assert change.row == {"value_id": 7, "value": "a"}


@pytest.mark.parametrize(
    ("key", "row", "reason"),
    [
        (b'{"value_id":7}', {}, "lacks its primary-key column 'value_id'"),
        (b'{"value_id":7}', {"value": "b"}, "lacks its primary-key column 'value_id'"),
        (b'{"value_id":7}', {"value_id": 8}, "value_id=8 but the record's key says 7"),
        (b'{"value_id":7}', {"value_id": "7"}, "value_id='7' but the record's key says 7"),
        (b'{"value_id":null}', {"value_id": None}, "value_id=None"),
    ],
)
def test_a_row_without_its_own_key_is_malformed(
    key: bytes, row: dict[str, object], reason: str
) -> None:
    """A valid envelope whose row does not carry the key it is filed under (``after: {}``, a
    key column renamed by a schema upgrade) is refused at decode, naming the column."""
    with pytest.raises(MalformedRecord, match=reason.replace("(", "\\(")):
        decode(key, envelope("u", row, row))


def test_snapshot_read_keeps_its_flag() -> None:
    change = decode(b"{}", envelope("r", None, {"x": 1}, snapshot="incremental"))
    assert change is not None
    assert change.position.snapshot == "incremental"


def test_tombstone_is_skipped() -> None:
    assert decode(b'{"value_id":7}', None) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1,2]", "not an object"),
        (orjson.dumps({"schema": {}, "payload": {}}), "schemas.enable=false"),
        (envelope("x", None, {}), "unknown op"),
        (envelope("c", None, None), "without the row image"),
        (envelope("d", None, None), "without the row image"),
        (envelope("u", "a", {}), "objects or null"),
        (orjson.dumps({"op": "c", "after": {}, "before": None}), "source.table"),
    ],
)
def test_malformed_values_raise_a_terminal_error_naming_the_problem(
    value: bytes, reason: str
) -> None:
    with pytest.raises(MalformedRecord, match=reason.replace(".", r"\.")):
        decode(b"{}", value)


@given(key=st.one_of(st.none(), st.binary()), value=st.one_of(st.none(), st.binary()))
def test_any_bytes_decode_or_raise_malformed_never_crash(
    key: bytes | None, value: bytes | None
) -> None:
    with contextlib.suppress(MalformedRecord):
        decode(key, value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    op=st.sampled_from(["c", "u", "d", "r", "t", None]),
    before=json_values,
    after=json_values,
    source=st.one_of(json_values, st.fixed_dictionaries({"table": json_values})),
)
def test_any_envelope_shaped_json_decodes_or_raises_malformed(
    op: object, before: object, after: object, source: object
) -> None:
    value = orjson.dumps({"op": op, "before": before, "after": after, "source": source})
    with contextlib.suppress(MalformedRecord):
        decode(b"{}", value)
