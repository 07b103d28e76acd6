"""MariaDB from Debian's packages, configured for change data capture.

The server runs as a plain process with its own config, data directory and socket
under the stack's state folder, so it never touches a system-wide MariaDB. The
binlog settings are the ones Debezium requires (ROW format, FULL row image).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from feedsync.errors import StackError
from feedsync.settings import Settings
from feedsync.stack.layout import Layout
from feedsync.stack.processes import Daemon, ensure_port_free

SERVER_PATHS = ("/usr/sbin/mariadbd", "/usr/sbin/mysqld")
DEBIAN_PACKAGES = ("mariadb-server", "mariadb-client")


class MariaDb:
    """One MariaDB server of the local stack."""

    def __init__(self, settings: Settings, layout: Layout) -> None:
        self.settings = settings
        self.home = layout.component("mariadb")
        self.daemon = Daemon("mariadb", layout.run, layout.log("mariadb"))
        self.install_log = layout.log("install-mariadb")

    @property
    def socket(self) -> Path:
        return self.home / "mariadb.sock"

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    @property
    def config_file(self) -> Path:
        return self.home / "my.cnf"

    # --- install -------------------------------------------------------------------

    def server_binary(self) -> str | None:
        return next((path for path in SERVER_PATHS if Path(path).exists()), None)

    def install(self) -> bool:
        """Install MariaDB from Debian's packages when missing. True if it installed."""
        if self.server_binary() and shutil.which("mariadb"):
            return False
        if os.geteuid() != 0:
            raise StackError(
                "MariaDB is not installed and this user cannot install it",
                hint="run `sudo apt-get install -y mariadb-server mariadb-client`, then retry",
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with self.install_log.open("ab") as log:
            for argv in (
                ["apt-get", "update"],
                ["apt-get", "install", "-y", "--no-install-recommends", *DEBIAN_PACKAGES],
            ):
                result = subprocess.run(
                    argv, stdout=log, stderr=subprocess.STDOUT, env=env, check=False
                )
                if result.returncode != 0:
                    raise StackError(
                        f"`{' '.join(argv)}` failed with exit code {result.returncode}",
                        hint="check the network to Debian's mirrors and the log",
                        log=str(self.install_log),
                    )
        if not self.server_binary():
            raise StackError(
                "mariadb-server installed, but no mariadbd binary was found",
                log=str(self.install_log),
            )
        return True

    # --- configure and start ---------------------------------------------------------

    def write_config(self) -> None:
        db = self.settings.database
        run_as = "user = root\n" if os.geteuid() == 0 else ""
        self.config_file.write_text(
            f"""# Written by feedsync (deploy/local); edits are overwritten on the next start.
[mysqld]
{run_as}datadir = {self.datadir}
socket = {self.socket}
pid-file = {self.home / "mariadb.pid"}
bind-address = {db.host}
port = {db.port}
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
# LOAD DATA LOCAL only while the sample loader runs (allow_local_infile); off otherwise.
local-infile = 0
# What Debezium needs: a binlog in ROW format with full before/after images.
server_id = 1
log_bin = {self.home / "binlog" / "mariadb-bin"}
binlog_format = ROW
binlog_row_image = FULL
binlog_expire_logs_seconds = 864000
# A developer stack: trade crash durability for bulk-load speed.
innodb_buffer_pool_size = 256M
innodb_flush_log_at_trx_commit = 2
sync_binlog = 0
max_allowed_packet = 64M

[client]
socket = {self.socket}
"""
        )

    def initialise(self) -> None:
        """Create the data directory once; later starts reuse it."""
        if (self.datadir / "mysql").is_dir():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        (self.home / "binlog").mkdir(exist_ok=True)
        with self.install_log.open("ab") as log:
            result = subprocess.run(
                [
                    "mariadb-install-db",
                    f"--defaults-file={self.config_file}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0:
            raise StackError(
                "mariadb-install-db could not create the data directory",
                log=str(self.install_log),
            )

    def start(self, timeout_s: float) -> bool:
        """Start the server unless it runs already. True if this call started it."""
        if self.daemon.pid() is not None:
            return False
        server = self.server_binary()
        if server is None:
            raise StackError("mariadbd not found", hint="run `feedsync stack up` to install it")
        db = self.settings.database
        ensure_port_free(db.host, db.port, component="MariaDB", setting="FEEDSYNC_DATABASE__PORT")
        self.write_config()
        self.initialise()
        self.daemon.start([server, f"--defaults-file={self.config_file}"])
        self.daemon.wait_until(self.ping, what="accepting connections", timeout_s=timeout_s)
        return True

    def ping(self) -> bool:
        result = subprocess.run(
            ["mariadb-admin", f"--socket={self.socket}", "-uroot", "ping"],
            capture_output=True,
            timeout=5,
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)

    # --- database, users and grants --------------------------------------------------

    def admin_sql(self, sql: str) -> str:
        """Run SQL as the server's root over its socket (root has no TCP access)."""
        result = subprocess.run(
            ["mariadb", f"--socket={self.socket}", "-uroot", "--batch", "--skip-column-names"],
            input=sql,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(
                f"MariaDB refused the set-up SQL: {result.stderr.strip()}",
                log=str(self.daemon.log_file),
            )
        return result.stdout

    def provision(self) -> None:
        """Create the Magento database, feedsync's user, and Debezium's user.

        Debezium's table grants come once the tables exist (:meth:`grant_debezium`).
        """
        db = self.settings.database
        app_pw = _sql_string(db.password.get_secret_value())
        dbz_pw = _sql_string(db.debezium_password.get_secret_value())
        self.admin_sql(
            f"""
CREATE DATABASE IF NOT EXISTS `{db.name}` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '{db.user}'@'%' IDENTIFIED BY {app_pw};
ALTER USER '{db.user}'@'%' IDENTIFIED BY {app_pw};
GRANT ALL PRIVILEGES ON `{db.name}`.* TO '{db.user}'@'%';
CREATE USER IF NOT EXISTS '{db.debezium_user}'@'%' IDENTIFIED BY {dbz_pw};
ALTER USER '{db.debezium_user}'@'%' IDENTIFIED BY {dbz_pw};
FLUSH PRIVILEGES;
"""
        )

    def grant_debezium(self, captured: Iterable[str], signal_table: str) -> None:
        """Give Debezium's user exactly what its MariaDB connector needs, and nothing else.

        SELECT on the captured tables only (the snapshot reads them; a table it does not
        capture, customers' passwords say, stays unreadable), RELOAD for the snapshot's
        global read lock, REPLICATION SLAVE to read the binlog, BINLOG MONITOR (MariaDB's
        REPLICATION CLIENT) for SHOW MASTER STATUS and SHOW BINARY LOGS, and SELECT and
        INSERT on the signal table for incremental-snapshot watermarks.

        Grants first, then revokes only what the user holds beyond them (a stack made by an
        older feedsync had SELECT on the whole database): a connector already running, a
        snapshot say, never meets a moment without its privileges. Revoking everything and
        granting again, as this did before, failed a running snapshot with "SELECT command
        denied" when `stack up` ran twice in a row.
        """
        db = self.settings.database
        needed = debezium_privileges(db.name, captured, signal_table)
        user = f"'{db.debezium_user}'@'%'"
        self.admin_sql(
            "".join(
                f"GRANT {', '.join(sorted(p for s, p in needed if s == scope))} "
                f"ON {scope} TO {user};\n"
                for scope in sorted({scope for scope, _ in needed})
            )
        )
        held = self.privileges_of(user)
        revokes = "".join(
            f"REVOKE {privilege} ON {scope} FROM {user};\n"
            for scope, privilege in sorted(held - needed)
        )
        if revokes:
            self.admin_sql(revokes)

    def privileges_of(self, grantee: str) -> set[Privilege]:
        """Every privilege an account holds, as (scope, privilege) pairs.

        From information_schema, which lists them per level: global, database, table and
        column (a column privilege's privilege is ``SELECT (`column`)``, the form REVOKE
        takes). A grantable level adds ``GRANT OPTION`` on it.
        """
        quoted = _sql_string(grantee)
        rows = self.admin_sql(
            f"""
SELECT '*.*', PRIVILEGE_TYPE, IS_GRANTABLE
  FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = {quoted};
SELECT CONCAT('`', TABLE_SCHEMA, '`.*'), PRIVILEGE_TYPE, IS_GRANTABLE
  FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = {quoted};
SELECT CONCAT('`', TABLE_SCHEMA, '`.`', TABLE_NAME, '`'), PRIVILEGE_TYPE, IS_GRANTABLE
  FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = {quoted};
SELECT CONCAT('`', TABLE_SCHEMA, '`.`', TABLE_NAME, '`'),
       CONCAT(PRIVILEGE_TYPE, ' (`', COLUMN_NAME, '`)'), IS_GRANTABLE
  FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = {quoted};
"""
        )
        return privileges_from_rows(row.split("\t") for row in rows.splitlines() if row)

    @contextmanager
    def allow_local_infile(self) -> Iterator[None]:
        """LOAD DATA LOCAL allowed server-wide for the block only (the sample loader's).

        A crash inside leaves it on until the server restarts, which reads the config
        (``local-infile = 0``) again.
        """
        self.admin_sql("SET GLOBAL local_infile = ON;")
        try:
            yield
        finally:
            self.admin_sql("SET GLOBAL local_infile = OFF;")


Privilege = tuple[str, str]
"""A privilege on a scope: ("*.*" | "`db`.*" | "`db`.`table`", "SELECT" | "SELECT (`col`)"...)."""

DEBEZIUM_GLOBAL_PRIVILEGES = ("BINLOG MONITOR", "RELOAD", "REPLICATION SLAVE")


def debezium_privileges(
    database: str, captured: Iterable[str], signal_table: str
) -> set[Privilege]:
    """What Debezium's MariaDB connector needs (see :meth:`MariaDb.grant_debezium`)."""
    needed = {("*.*", privilege) for privilege in DEBEZIUM_GLOBAL_PRIVILEGES}
    needed |= {(f"`{database}`.`{table}`", "SELECT") for table in captured}
    needed |= {(f"`{database}`.`{signal_table}`", p) for p in ("SELECT", "INSERT")}
    return needed


def privileges_from_rows(rows: Iterable[list[str]]) -> set[Privilege]:
    """(scope, privilege type, is grantable) rows as privileges; USAGE (none) dropped."""
    held: set[Privilege] = set()
    for scope, privilege, grantable in rows:
        if privilege != "USAGE":
            held.add((scope, privilege))
        if grantable == "YES":
            held.add((scope, "GRANT OPTION"))
    return held


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
