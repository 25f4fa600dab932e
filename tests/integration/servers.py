"""Real servers for the integration tests: a throwaway redis-server and Lumen under uvicorn.

Waiting is always a bounded poll that also notices a server that died, never a fixed sleep.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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


@contextmanager
def lumen_servers(count: int, env: dict[str, str], directory: Path) -> Iterator[list[int]]:
    """Start `count` Lumen processes (uvicorn on lms.asgi) and yield their ports."""
    processes: list[subprocess.Popen] = []
    ports: list[int] = []
    try:
        for _ in range(count):
            port = free_port()
            log_path = directory / f"lumen-{port}.log"
            with log_path.open("ab") as log:
                process = subprocess.Popen(
                    [
                        sys.executable, "-m", "uvicorn", "lms.asgi:application",
                        "--host", "127.0.0.1",
                        "--port", str(port),
                        "--no-access-log",
                        "--log-level", "warning",
                    ],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            processes.append(process)
            ports.append(port)
        for process, port in zip(processes, ports, strict=True):
            _wait_until(
                lambda port=port: _healthy(port),
                process,
                f"Lumen on port {port}",
                directory / f"lumen-{port}.log",
            )
        yield ports
    finally:
        for process in processes:
            _stop(process)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
