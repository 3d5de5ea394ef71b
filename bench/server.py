"""Start the real service (uvicorn, several workers) on a throwaway PostgreSQL database."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.config import ROOT

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    """The server to make throwaway databases on: TEST_DATABASE_URL, or the local default."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES


@contextmanager
def throwaway_postgres(label: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database for one bench run, dropped afterwards."""
    from app.cli import upgrade_database
    from tests.databases import throwaway_database

    previous = os.environ.get("TEST_DATABASE_URL")
    os.environ["TEST_DATABASE_URL"] = postgres_base_url()
    try:
        with throwaway_database(f"bench_{label}") as url:
            upgrade_database(url)
            yield url
    finally:
        if previous is None:
            os.environ.pop("TEST_DATABASE_URL", None)
        else:
            os.environ["TEST_DATABASE_URL"] = previous


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Point this process's settings and engine at `url` for a while (in-process measurements),
    then put back whatever they pointed at before."""
    previous = os.environ.get("DATABASE_URL")
    _switch_database(url)
    try:
        yield
    finally:
        _switch_database(previous)


def _switch_database(url: str | None) -> None:
    from app.config import get_settings
    from app.db import get_engine

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    if url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    get_engine.cache_clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def running_server(
    database_url: str, *, workers: int = 2, log_dir: Path | None = None,
    extra_env: dict | None = None,
) -> Iterator[Server]:
    """`asye360 serve` as a child process, answering on /healthz, stopped on exit.

    Rate limits are off (RATE_LIMITS=off): the point is to find the service's own ceiling.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RATE_LIMITS": "off",
        "ENVIRONMENT": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BASE_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    log = (log_dir or Path("/tmp")) / f"asye360-bench-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(base_url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_until_up(server, workers=workers)
        yield server
    finally:
        _stop(process)


def _wait_until_up(server: Server, *, workers: int, timeout: float = 60) -> None:
    """Wait until every worker has started its application and the database answers."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"the service exited while starting:\n{server.output()}")
            if server.output().count("Application startup complete") >= workers:
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
    raise RuntimeError(f"the service did not start within {timeout} s:\n{server.output()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only its workers
            process.wait(timeout=5)
