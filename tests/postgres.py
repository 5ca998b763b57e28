"""A throwaway PostgreSQL server for the tests, owned by the test run.

`running_server()` finds PostgreSQL's binaries (initdb and pg_ctl on PATH, else the newest
/usr/lib/postgresql/*/bin), creates a cluster in a fresh directory under /tmp, starts it on
127.0.0.1 with a free port (and its unix socket in that directory), creates a database, yields
how to reach it, and at the end stops the server and deletes the directory, whatever happened.

PostgreSQL refuses to run as root: under root, every PostgreSQL command runs as the `postgres`
system user, which owns the directory.

Without PostgreSQL the tests that need it are skipped, except in CI (the environment variable
`CI` is set), where a missing PostgreSQL fails them: CI must run them.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

USER = "flowc"
PASSWORD = "flowc-secret"
DATABASE = "flowc_test"
SYSTEM_USER = "postgres"  # who runs PostgreSQL when the tests run as root
START_ATTEMPTS = 3  # a free port can be taken between finding it and listening on it


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str
    socket_dir: str

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    def connect(self, **kwargs):
        """A psycopg connection to the test database (for setting up and checking tables)."""
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=self.database, **kwargs)


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: from PATH, else the newest Debian-style install."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # Debian links the binaries of one version into /usr/local/bin or /usr/bin: use their own directory
        bindir = Path(initdb).resolve().parent
        if (bindir / "pg_ctl").is_file():
            return bindir
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin")
                  if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]
    return max(candidates, key=_version) if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """PostgreSQL commands run as the right user, in one temporary directory."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "server.log"
        self.as_user = SYSTEM_USER if os.geteuid() == 0 else None

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        env = {**os.environ, "PGPASSWORD": PASSWORD, "LC_ALL": "C"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.root, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                               f"{self.server_log()}")
        return done

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def prepare(self) -> None:
        self.sockets.mkdir()
        password_file = self.root / "password"
        password_file.write_text(PASSWORD + "\n")
        if self.as_user:
            try:
                entry = pwd.getpwnam(self.as_user)
            except KeyError:
                raise RuntimeError(f"the tests run as root and there is no '{self.as_user}' system user "
                                   "to run PostgreSQL as") from None
            for path in (self.root, self.sockets, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        self.run("initdb", "-D", str(self.data), "-U", USER, "--pwfile", str(password_file),
                 "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")

    def start(self, port: int) -> bool:
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {self.sockets} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC")
        done = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
                        "start", check=False)
        return done.returncode == 0

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    bindir = find_bin_dir()
    if bindir is None:
        reason = ("PostgreSQL is not installed (no initdb/pg_ctl on PATH nor under /usr/lib/postgresql/*/bin); "
                  "install it (Debian: apt-get install postgresql) to run the PostgreSQL tests")
        if os.environ.get("CI"):
            pytest.fail(reason + " -- CI must run them", pytrace=False)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="flowc-pg-", dir="/tmp"))
    cluster = _Cluster(bindir, root)
    try:
        cluster.prepare()
        for _ in range(START_ATTEMPTS):
            port = free_port()
            if cluster.start(port):
                break
        else:
            raise RuntimeError(f"PostgreSQL did not start:\n{cluster.server_log()}")
        server = PostgresServer("127.0.0.1", port, USER, PASSWORD, DATABASE, str(cluster.sockets))
        with PostgresServer("127.0.0.1", port, USER, PASSWORD, "postgres", server.socket_dir).connect(
                autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        yield server
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
