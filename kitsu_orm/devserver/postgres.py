"""The PostgreSQL that holds a server's database and its clean template."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from .errors import DevServerError

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


@dataclass(frozen=True)
class Postgres:
    """The server's PostgreSQL, driven through ``psql`` (identifiers are pre-validated)."""

    host: str
    port: int
    user: str
    password: str

    def run(self, *statements: str, database: str = "postgres") -> str:
        """Run each statement in its own transaction (CREATE/DROP DATABASE need that)."""
        psql = shutil.which("psql")
        if psql is None:
            raise DevServerError(
                "psql is not installed: install the PostgreSQL client "
                "(apt-get install postgresql-client)"
            )
        cmd = [
            psql,
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
        ]
        for statement in statements:
            cmd += ["-c", statement]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
        if self.password:
            env["PGPASSWORD"] = self.password
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise DevServerError(f"PostgreSQL at {self.host}:{self.port}: {done.stderr.strip()}")
        return done.stdout.strip()

    def exists(self, database: str) -> bool:
        """Whether the database exists (a server already set up)."""
        return self.run(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"

    def create(self, database: str) -> None:
        """Create a database for a dev server."""
        self.run(f'CREATE DATABASE "{database}"')

    def copy(self, source: str, target: str) -> None:
        """Replace ``target`` by a copy of ``source``, cutting off its open connections."""
        self.run(
            f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
            f'CREATE DATABASE "{target}" TEMPLATE "{source}"',
        )

    def seal(self, database: str) -> None:
        """Refuse connections, so that nothing can block a copy made from it."""
        self.run(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
