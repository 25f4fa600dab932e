"""Real servers for the integration tests: a throwaway redis-server, and Lumen's `web` (HTTP on
WSGI) and `ws` (WebSockets on ASGI) processes run from the Procfile's own commands.

Waiting is always a bounded poll that also notices a server that died, never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A TCP port nothing listens on (chosen by the OS, closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(ready, process: subprocess.Popen, what: str, log_path: Path) -> None:
    """Poll `ready()` until it is true; fail if the process exits or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if ready():
            return
        try:
            process.wait(timeout=0.05)  # the pause between polls, which also notices an exit
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"{what} exited with {process.returncode}:\n{log_path.read_text()}")
    raise RuntimeError(
        f"{what} did not start in {START_TIMEOUT_SECONDS:.0f}s:\n{log_path.read_text()}"
    )


def _stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in a session of its own together with its children (gunicorn's
    workers), so no worker outlives the test holding its database connections."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a worker the master left behind


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class RedisServer:
    """A redis-server of our own on a fixed port, which a test may stop and start again."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError(
                "This test needs a Redis: set REDIS_URL, or install redis-server "
                "(apt-get install redis-server) so the test can start one."
            )
        self.directory = directory
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log_path = self.directory / f"redis-{self.port}.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_until(self.answers, self.process, "redis-server", log_path)

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, retry=None)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@contextmanager
def redis_url_for_test(directory: Path) -> Iterator[str]:
    """REDIS_URL when the environment has one (CI), otherwise a redis-server of our own."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = RedisServer(directory)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def current_database_url() -> str:
    """A DATABASE_URL naming the database this test process is using right now."""
    values = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{values['NAME']}"  # an absolute path: sqlite:////tmp/...
    if connection.vendor == "postgresql":
        credentials = quote(values["USER"] or "", safe="")
        if values.get("PASSWORD"):
            credentials += ":" + quote(values["PASSWORD"], safe="")
        host = values["HOST"] or "127.0.0.1"
        port = values["PORT"] or 5432
        return f"postgres://{credentials}@{host}:{port}/{values['NAME']}"
    raise RuntimeError(f"no DATABASE_URL for a {connection.vendor} database")


PROCFILE = BASE_DIR / "Procfile"


def procfile_command(process: str, env: dict[str, str]) -> list[str]:
    """The Procfile's command for `process` (`web`, `ws`), exactly as a process manager would
    run it: `$PORT` and `${NAME:-default}` taken from `env`, bound to loopback."""
    for line in PROCFILE.read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            break
    else:
        raise LookupError(f"the Procfile has no {process!r} process")
    expanded = re.sub(
        r"\$\{(\w+):-([^}]*)\}|\$(\w+)",
        lambda match: env.get(match[1] or match[3]) or match[2] or "",
        command,
    )
    words = shlex.split(expanded.replace("0.0.0.0:", "127.0.0.1:"))
    if words[0] == "gunicorn":  # the one in this interpreter's environment
        words = [sys.executable, "-m", "gunicorn", *words[1:]]
    return words


@contextmanager
def lumen_servers(
    count: int, env: dict[str, str], directory: Path, *, process: str = "ws"
) -> Iterator[list[int]]:
    """Start `count` of the Procfile's `process` (one worker each) and yield their ports: `web`
    is HTTP on WSGI, `ws` WebSockets on ASGI (which answers HTTP too)."""
    processes: list[subprocess.Popen] = []
    ports: list[int] = []
    try:
        for _ in range(count):
            port = free_port()
            command = procfile_command(
                process, {**env, "PORT": str(port), "WEB_CONCURRENCY": "1", "WS_CONCURRENCY": "1"}
            )
            log_path = directory / f"lumen-{process}-{port}.log"
            with log_path.open("ab") as log:
                started = subprocess.Popen(
                    command,
                    cwd=BASE_DIR,
                    env={**env, "GUNICORN_CMD_ARGS": "--log-level warning"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            processes.append(started)
            ports.append(port)
        for started, port in zip(processes, ports, strict=True):
            _wait_until(
                lambda port=port: _healthy(port),
                started,
                f"Lumen ({process}) on port {port}",
                directory / f"lumen-{process}-{port}.log",
            )
        yield ports
    finally:
        for started in processes:
            _stop_group(started)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


class CeleryWorker:
    """`celery -A lms worker` (prefork, one pool process) in a session of its own, so a test can
    SIGKILL the whole worker (main process and pool) as an OOM killer or a lost host would."""

    def __init__(self, env: dict[str, str], directory: Path, name: str) -> None:
        self.env = env
        self.name = name
        self.log_path = directory / f"celery-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "lms", "worker",
                    "--pool", "prefork",
                    "--concurrency", "1",
                    "--hostname", f"{self.name}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "--loglevel", "INFO",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_until(
            lambda: " ready." in self.log_path.read_text(errors="replace"),
            self.process,
            f"Celery worker {self.name}",
            self.log_path,
        )

    def pool_pids(self) -> list[int]:
        """The pool processes (children of the main worker process)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once; nothing gets to clean up or ack."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
            self.process = None


POSTGRES_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class PostgresServer:
    """A PostgreSQL cluster of our own (initdb in a fresh directory, trust auth on loopback)
    that a test may restart. initdb and postgres refuse to run as root: as root, the cluster
    belongs to (and runs as) the `postgres` system user, in a directory that user owns."""

    def __init__(self, port: int | None = None) -> None:
        found = [directory for directory in POSTGRES_BIN_DIRS if (directory / "initdb").exists()]
        if not found:
            raise RuntimeError(
                "This test needs PostgreSQL's server binaries (apt-get install postgresql): "
                "no /usr/lib/postgresql/*/bin/initdb."
            )
        self.bin = found[0]
        self.port = port or free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="lumen-pg-"))
        self.data = self.directory / "data"
        self.log_path = self.directory / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres", group="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, timeout=120, cwd="/"
        )

    def start(self) -> None:
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8",
            )  # fmt: skip
        self._pg_ctl("start")

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        mode = [] if action == "start" else ["-m", "fast"]
        try:
            self._run(
                str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60",
                *mode, "-l", str(self.log_path), "-o", options,
            )  # fmt: skip
        except subprocess.CalledProcessError as error:
            log = self.log_path.read_text() if self.log_path.exists() else ""
            raise RuntimeError(f"pg_ctl {action} failed: {error.stderr!r}\n{log}") from error

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again on the same port."""
        self._pg_ctl("restart")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop")
        shutil.rmtree(self.directory, ignore_errors=True)
