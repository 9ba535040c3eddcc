"""A PostgreSQL server of one's own, to restart, crash and starve without touching a shared one.

The fault campaign (``pg_faults.py``) and its tests (``tests/test_postgres_faults.py``) restart
the server between and during turns, SIGKILL its postmaster and fill its connection slots:
that must never happen to the shared test server other tests use. So each gets a throwaway
cluster in its own directory (initdb, pg_ctl from PostgreSQL 15, as ``scripts/postgres.sh``
does; run as the ``postgres`` user when we are root), listening on a Unix socket only.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("MEMGPT_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB = "memgpt"


def available() -> str | None:
    """Why a server of our own cannot be started here, or None if it can."""
    if not (PG_BIN / "initdb").is_file():
        return f"no PostgreSQL binaries in {PG_BIN} (bash scripts/postgres.sh install)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start the server as postgres"
    return None


class PgServer:
    """One throwaway cluster under ``root``: its data, socket and log."""

    def __init__(self, root: Path, port: int, *, max_connections: int = 50) -> None:
        self.root = root
        self.port = port
        self.max_connections = max_connections
        self.data = root / "data"
        self.socket = root / "socket"

    @property
    def url(self) -> str:
        return f"postgresql:///{DB}?host={self.socket}&port={self.port}&user=postgres"

    def _as_owner(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def start(self) -> str:
        """initdb the first time, start unless running, create the database with pgvector;
        the URL."""
        self.socket.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.socket, "postgres", "postgres")
        if not (self.data / "PG_VERSION").is_file():
            self._as_owner(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        status = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]
        if self._as_owner(*status, check=False).returncode != 0:
            self._pg_ctl("start")
        import psycopg

        with psycopg.connect(self.url.replace(f"/{DB}?", "/postgres?"), autocommit=True) as c:
            if c.execute("SELECT 1 FROM pg_database WHERE datname=%s", (DB,)).fetchone() is None:
                c.execute(f"CREATE DATABASE {DB}")
        with psycopg.connect(self.url, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
        return self.url

    def _pg_ctl(self, action: str) -> None:
        # fsync off: the machine does not crash here, only the server. synchronous_commit
        # stays on: off, a crash of the server loses commits it acknowledged, by design.
        options = (
            f"-c listen_addresses='' -k {self.socket} -p {self.port} -c fsync=off "
            f"-c max_connections={self.max_connections} -c superuser_reserved_connections=3"
        )
        log = str(self.root / "server.log")
        args = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-m", "fast"]
        self._as_owner(*args, "-o", options, action)

    def restart(self) -> None:
        """A clean restart (``pg_ctl restart -m fast``): every connection is terminated."""
        self._pg_ctl("restart")

    def stop(self) -> None:
        if (self.data / "PG_VERSION").is_file():
            self._as_owner(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop",
                check=False,
            )  # fmt: skip

    def postmaster_pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        try:
            return int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill_postmaster(self) -> None:
        """SIGKILL the postmaster (a crash); its backends notice and exit, and the next start
        runs crash recovery. Backends still alive after 5 s are killed too."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = _children(pid)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(c) for c in children + [pid]):
            time.sleep(0.05)
        for child in children:
            if _alive(child):
                os.kill(child, signal.SIGKILL)
        while any(_alive(c) for c in children + [pid]):
            time.sleep(0.05)
        deadline = time.monotonic() + 10  # a zombie not reaped yet still holds the pid file
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
