"""Database side: create the Magento schema, bulk-load a generated sample, read back which.

:func:`load_sample` writes :func:`~connectors.magento.sample.generator.generate`'s rows in bulk
(``LOAD DATA LOCAL INFILE`` from temporary TSV files, or multi-row ``INSERT`` batches when the
connection cannot send local files) in a single transaction, together with the marker row that
:func:`loaded_profile` reads back. :func:`apply_schema` creates the Magento tables
(``schema.sql``) and Magento's fixed default rows (``defaults.sql``); both are idempotent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pymysql

from connectors.magento.sample.fixed_ids import (
    CATEGORY_ATTRIBUTE_IDS,
    CATEGORY_ENTITY_TYPE_ID,
    DOWNLOADABLE_ATTRIBUTE_IDS,
    MEDIA_ATTRIBUTE_IDS,
    PRODUCT_ATTRIBUTE_IDS,
    PRODUCT_ENTITY_TYPE_ID,
)
from connectors.magento.sample.generator import generate
from connectors.magento.sample.model import Row, Table, Value

if TYPE_CHECKING:
    # The stubs make Connection generic; the runtime class is not subscriptable.
    Connection = pymysql.connections.Connection[Any]

# The SQL files stay next to the connector, where the package data declares them.
_MAGENTO_DIR: Final = Path(__file__).parent.parent
SCHEMA_SQL: Final = _MAGENTO_DIR / "schema.sql"
DEFAULTS_SQL: Final = _MAGENTO_DIR / "defaults.sql"

SAMPLE_MARKER_TABLE: Final = "feedsync_sample_info"
_MARKER_DDL: Final = (
    f"CREATE TABLE IF NOT EXISTS `{SAMPLE_MARKER_TABLE}` ("
    "`id` TINYINT NOT NULL PRIMARY KEY, `profile` VARCHAR(32), `seed` INT, `loaded_at` DATETIME"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
)


def split_sql(text: str) -> list[str]:
    """Split a script into statements at ``;`` outside quotes, dropping ``--`` comments."""
    statements: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < n:
                current.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in ("'", '"', "`"):
            quote = ch
            current.append(ch)
        elif text.startswith(("-- ", "--\n"), i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == ";":
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(ch)
        i += 1
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


def apply_schema(conn: Connection) -> None:
    """Create the Magento tables and Magento's default rows (both idempotent), and the marker."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        for path in (SCHEMA_SQL, DEFAULTS_SQL):
            for statement in split_sql(path.read_text(encoding="utf-8")):
                cur.execute(statement)
        cur.execute(_MARKER_DDL)
    conn.commit()


def loaded_profile(conn: Connection) -> tuple[str, int] | None:
    """The (profile, seed) recorded by the last completed :func:`load_sample`, if any."""
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_name = %s",
            (SAMPLE_MARKER_TABLE,),
        )
        if cur.fetchone() is None:
            return None
        cur.execute(f"SELECT `profile`, `seed` FROM `{SAMPLE_MARKER_TABLE}` WHERE `id` = 1")
        row = cur.fetchone()
    if row is None:
        return None
    return str(row[0]), int(row[1])


_TSV_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Refusals of LOAD DATA LOCAL: MariaDB's "local infile disabled" (4166) and "command not
# allowed" (1148), and MySQL's spellings of the same (2068, 3948, 3950).
_LOCAL_INFILE_REFUSED: Final = frozenset({1148, 2068, 3948, 3950, 4166})
_INSERT_BATCH: Final = 2_000


def _tsv_field(value: Value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, int):
        return str(value)
    return value.translate(_TSV_ESCAPES)


def _write_tsv(path: Path, rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines("\t".join(map(_tsv_field, row)) + "\n" for row in rows)


def _load_data(cur: pymysql.cursors.Cursor, name: str, table: Table, workdir: Path) -> None:
    path = workdir / f"{name}.tsv"
    _write_tsv(path, table.rows)
    columns = ", ".join(f"`{c}`" for c in table.columns)
    loaded = cur.execute(
        f"LOAD DATA LOCAL INFILE %s INTO TABLE `{name}` CHARACTER SET utf8mb4 "
        f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})",
        (str(path),),
    )
    path.unlink()
    # LOAD DATA LOCAL turns errors into warnings (it cannot abort the client's upload), so a
    # truncated or rejected row would otherwise pass silently.
    cur.execute("SHOW WARNINGS LIMIT 5")
    warnings = cur.fetchall()
    if warnings or loaded != len(table.rows):
        msg = f"loading {name}: {loaded} of {len(table.rows)} rows, warnings: {warnings!r}"
        raise RuntimeError(msg)


def _insert_rows(cur: pymysql.cursors.Cursor, name: str, table: Table) -> None:
    columns = ", ".join(f"`{c}`" for c in table.columns)
    marks = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO `{name}` ({columns}) VALUES ({marks})"
    for start in range(0, len(table.rows), _INSERT_BATCH):
        # pymysql rewrites executemany of a plain INSERT into multi-row INSERT statements.
        cur.executemany(sql, table.rows[start : start + _INSERT_BATCH])


def _check_attribute_ids(cur: pymysql.cursors.Cursor) -> None:
    expected = {(CATEGORY_ENTITY_TYPE_ID, c): i for c, i in CATEGORY_ATTRIBUTE_IDS.items()}
    expected |= {(PRODUCT_ENTITY_TYPE_ID, c): i for c, i in PRODUCT_ATTRIBUTE_IDS.items()}
    expected |= {(PRODUCT_ENTITY_TYPE_ID, c): i for c, i in MEDIA_ATTRIBUTE_IDS.items()}
    expected |= {(PRODUCT_ENTITY_TYPE_ID, c): i for c, i in DOWNLOADABLE_ATTRIBUTE_IDS.items()}
    cur.execute(
        "SELECT entity_type_id, attribute_code, attribute_id FROM eav_attribute "
        "WHERE entity_type_id IN (3, 4)"
    )
    actual = {(int(r[0]), str(r[1])): int(r[2]) for r in cur.fetchall()}
    wrong = sorted(f"{k[1]}" for k, v in expected.items() if actual.get(k) != v)
    if wrong:
        msg = f"eav_attribute ids differ from defaults.sql for: {', '.join(wrong)}"
        raise RuntimeError(msg)


def load_sample(
    conn: Connection,
    profile: str,
    seed: int = 42,
    *,
    foreign_key_checks: bool = False,
    today: date | None = None,
) -> dict[str, int]:
    """Generate the ``profile`` sample from ``seed`` and load it in one transaction.

    Expects :func:`apply_schema` to have run and the catalog/sales tables to be empty. Uses
    ``LOAD DATA LOCAL INFILE`` when the connection allows it (``local_infile=True``), else
    multi-row INSERTs. Foreign-key and unique checks are off for the load unless
    ``foreign_key_checks`` is set (the generator guarantees both). Records (profile, seed) in
    :data:`SAMPLE_MARKER_TABLE` in the same transaction and returns rows loaded per table.
    """
    # The catalog-rule index is written around the day of the load (UTC): a store loaded
    # today has rule prices that apply today, in every website's zone.
    data = generate(profile, seed, today=today or datetime.now(UTC).date())
    with conn.cursor(pymysql.cursors.Cursor) as cur:
        cur.execute(_MARKER_DDL)
        for checked in ("catalog_product_entity", "sales_order"):
            cur.execute(f"SELECT 1 FROM `{checked}` LIMIT 1")
            if cur.fetchone() is not None:
                msg = f"{checked} is not empty: load sample data into a fresh database"
                raise RuntimeError(msg)
        _check_attribute_ids(cur)
        cur.execute(
            "SELECT @@SESSION.foreign_key_checks, @@SESSION.unique_checks, @@SESSION.time_zone"
        )
        saved = cur.fetchone()
        assert saved is not None
        # UTC session: TIMESTAMP columns then store exactly the generated wall times (no DST
        # gaps or shifts from the server's zone).
        cur.execute(
            "SET SESSION foreign_key_checks = %s, unique_checks = %s, time_zone = '+00:00'",
            (int(foreign_key_checks), int(foreign_key_checks)),
        )
        try:
            cur.execute("START TRANSACTION")
            # Only a connection opened with local_infile=True may send files; the server can
            # still refuse (local_infile=OFF), which the first LOAD DATA finds out.
            use_local = bool(conn.client_flag & pymysql.constants.CLIENT.LOCAL_FILES)
            with tempfile.TemporaryDirectory(prefix="feedsync-sample-") as tmp:
                for name, table in data.tables.items():
                    if use_local:
                        try:
                            _load_data(cur, name, table, Path(tmp))
                            continue
                        except (
                            pymysql.err.OperationalError,
                            pymysql.err.InternalError,
                            pymysql.err.ProgrammingError,
                        ) as exc:
                            if exc.args[0] not in _LOCAL_INFILE_REFUSED:
                                raise
                            use_local = False
                    _insert_rows(cur, name, table)
            for statement, params in data.updates:
                cur.execute(statement, params)
            cur.execute(
                f"REPLACE INTO `{SAMPLE_MARKER_TABLE}` (`id`, `profile`, `seed`, `loaded_at`) "
                "VALUES (1, %s, %s, UTC_TIMESTAMP())",
                (data.profile.name, seed),
            )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            cur.execute(
                "SET SESSION foreign_key_checks = %s, unique_checks = %s, time_zone = %s", saved
            )
    return data.counts()
