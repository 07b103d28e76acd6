"""What the stack's database lets each user do: least privilege for Debezium, and no
LOAD DATA LOCAL outside the sample loader (a client's file read by a server's request)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pymysql
import pytest

from connectors.database import connect
from connectors.debezium import SIGNAL_TABLE
from feeds.registry import CAPTURED_TABLES
from feedsync.settings import Settings
from feedsync.stack.mariadb import debezium_privileges
from feedsync.stack.orchestrate import Stack

pytestmark = pytest.mark.integration

# MariaDB's "command denied" (1142) and "access denied to database" (1044).
DENIED = {1142, 1044}
# What a server with local_infile OFF answers to LOAD DATA LOCAL: MariaDB 10.11 says 4166
# ("local infile disabled"), older servers 1148.
LOCAL_INFILE_REFUSED = {4166, 1148}


def _as_debezium(settings: Settings) -> Any:
    db = settings.database
    return pymysql.connect(
        host=db.host,
        port=db.port,
        user=db.debezium_user,
        password=db.debezium_password.get_secret_value(),
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=10,
    )


def test_debezium_reads_the_captured_tables_and_nothing_else(
    stack: Stack, settings: Settings, db: Any
) -> None:
    name = settings.database.name
    with db.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        every_table = {str(row[0]) for row in cursor.fetchall()}
    uncaptured = sorted(every_table - set(CAPTURED_TABLES) - {SIGNAL_TABLE})
    assert uncaptured, "the schema has tables feedsync does not capture (the sample marker)"
    assert set(CAPTURED_TABLES) <= every_table

    connection = _as_debezium(settings)
    try:
        with connection.cursor() as cursor:
            for table in CAPTURED_TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM `{name}`.`{table}`")
            refused = []
            for table in [*(f"`{name}`.`{t}`" for t in uncaptured), "mysql.user"]:
                with pytest.raises(pymysql.err.OperationalError) as denied:
                    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
                refused.append(denied.value.args[0])
            assert set(refused) <= DENIED
            with pytest.raises(pymysql.err.OperationalError) as denied:
                cursor.execute(f"UPDATE `{name}`.`{CAPTURED_TABLES[0]}` SET `{'x'}` = 1")
            assert denied.value.args[0] in DENIED
            # What incremental snapshots need: the signal table, readable and writable.
            cursor.execute(f"SELECT COUNT(*) FROM `{name}`.`{SIGNAL_TABLE}`")
    finally:
        connection.close()


def test_load_data_local_is_refused_outside_the_sample_loader(
    stack: Stack, settings: Settings, db: Any, tmp_path: Path
) -> None:
    with db.cursor() as cursor:
        cursor.execute("SELECT @@GLOBAL.local_infile")
        row = cursor.fetchone()
    assert row is not None
    assert int(row[0]) == 0

    rows = tmp_path / "rows.tsv"
    rows.write_text("1\n")
    # A client that allows it still gets a refusal: the server does not ask for the file.
    connection = connect(settings, local_infile=True, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE local_infile_probe (id INT)")
            with pytest.raises(pymysql.err.MySQLError) as refused:
                cursor.execute(
                    "LOAD DATA LOCAL INFILE %s INTO TABLE local_infile_probe", (str(rows),)
                )
            assert refused.value.args[0] in LOCAL_INFILE_REFUSED
    finally:
        connection.close()


def test_granting_again_narrows_an_older_grant_without_a_moment_of_refusal(
    stack: Stack, settings: Settings
) -> None:
    """`stack up` grants on every run, while a connector may be snapshotting: Debezium's user
    must keep reading the captured tables throughout (the CI run that revoked before granting
    failed the running snapshot with "SELECT command denied"), and what an older stack granted
    beyond them (SELECT on the whole database, grant option, a column) goes."""
    name = settings.database.name
    user = f"'{settings.database.debezium_user}'@'%'"
    uncaptured_column = ("sales_order", "customer_email")
    stack.mariadb.admin_sql(
        f"GRANT SELECT ON `{name}`.* TO {user} WITH GRANT OPTION;\n"
        f"GRANT UPDATE (`{uncaptured_column[1]}`) ON `{name}`.`{uncaptured_column[0]}` "
        f"TO {user};\n"
    )
    refusals: list[str] = []
    reads = 0
    stop = threading.Event()

    def read_captured_tables() -> None:
        nonlocal reads
        connection = _as_debezium(settings)
        try:
            with connection.cursor() as cursor:
                while not stop.is_set():
                    for table in CAPTURED_TABLES:
                        try:
                            cursor.execute(f"SELECT 1 FROM `{name}`.`{table}` LIMIT 1")
                        except pymysql.err.OperationalError as refused:
                            refusals.append(f"{table}: {refused}")
                    reads += 1
        finally:
            connection.close()

    reader = threading.Thread(target=read_captured_tables, daemon=True)
    reader.start()
    try:
        for _ in range(10):
            stack.mariadb.grant_debezium(CAPTURED_TABLES, SIGNAL_TABLE)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not reader.is_alive()
    assert reads > 0
    assert refusals == []
    held = stack.mariadb.privileges_of(user)
    assert held == debezium_privileges(name, CAPTURED_TABLES, SIGNAL_TABLE)
