"""The browser-test harness: the real service in a subprocess, Debian's Chromium, failure artefacts.

One server per xdist worker (session scope), on a free local port with its own throwaway
database (PostgreSQL when TEST_DATABASE_URL is set), and one headless Chromium per test module.
Every context the `new_context` fixture opens has axe-core in every page it loads; when a test
fails, each of its open pages is saved (screenshot and HTML) under test-artifacts/browser/.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Response, sync_playwright

from tests.browser.checks import ROOT, axe_source
from tests.databases import throwaway_database

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# As this machine needs it: no sandbox (root), and nothing that reaches for Google's servers,
# whose connections the closed network refuses. Playwright's launch() gives every run a new
# empty user-data-dir of its own, so no profile is shared or kept.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SERVER_START_SECONDS = 60
ACTION_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    log: Path
    national_email: str
    national_password: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class ServerDidNotStart(RuntimeError):
    pass


def _wait_until_healthy(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"the service stopped at start (exit {process.returncode}):\n" + _tail(log)
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise ServerDidNotStart(
        f"the service did not answer /healthz in {SERVER_START_SECONDS}s:\n" + _tail(log)
    )


def _server_env(database_url: str, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "browser-tests-secret-key-" + "x" * 40,
        "ENVIRONMENT": "test",
        "BASE_URL": url,
        "RATE_LIMITS": "off",
        "PYTHONUNBUFFERED": "1",
    }


def _asye360() -> list[str]:
    """The `asye360` command of this virtual environment (as `python -m app.cli` without one)."""
    script = Path(sys.executable).with_name("asye360")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app.cli"]


def _start_server(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    """uvicorn on a free port, healthy; (process, base URL). Tries another port if one is taken."""
    for attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("ab") as output:
            # --no-access-log as `asye360 serve`: request paths carry survey link tokens.
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                ],
                env=_server_env(database_url, url),
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_healthy(process, url, log)
            return process, url
        except ServerDidNotStart:
            _stop(process)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def live_server(worker_id: str, tmp_path_factory) -> Iterator[LiveServer]:
    """The service as it is deployed: migrated database, a national user, uvicorn."""
    from app.cli import upgrade_database

    log = tmp_path_factory.mktemp("browser-server") / "server.log"
    email, password = "national.team@example.org", "national-team-password-2026"
    with throwaway_database(f"browser_{worker_id}") as database_url:
        upgrade_database(database_url)
        created = subprocess.run(
            [*_asye360(), "create-national-user", email, "--password", password],
            env=_server_env(database_url, "http://127.0.0.1"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, f"create-national-user failed:\n{created.stdout}"
        process, url = _start_server(database_url, log)
        try:
            yield LiveServer(url, database_url, log, email, password)
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make system` "
            "(Debian's chromium package); the tests never download a browser."
        )
    axe_source()  # fail at once, with the fix, if the front-end packages are not installed
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(request, browser: Browser, live_server: LiveServer) -> Iterator[NewContext]:
    """new_context(**options): a fresh browser context (own cookies) on the live server.

    Options are Playwright's (viewport, java_script_enabled, …). axe-core is added to every
    page as an init script: page scripts cannot add it, as the Content-Security-Policy refuses
    inline scripts, and the policy stays on so the tests see the pages as people do.
    """
    contexts: list[BrowserContext] = []
    request.node.browser_contexts = contexts  # read by pytest_runtest_makereport

    def make(**options) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("accept_downloads", True)
        context = browser.new_context(**options)
        # Both read by tests.browser.checks: it cannot run axe where scripts are off, and a
        # server error behind any page, asset or download fails the next check.
        context.javascript_enabled = options.get("java_script_enabled", True)
        context.server_errors = errors = []

        def note_server_error(response: Response) -> None:
            if response.status >= 500:
                errors.append(f"{response.status} {response.request.method} {response.url}")

        context.on("response", note_server_error)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.add_init_script(script=axe_source())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# Failure artefacts


def _save_artifacts(item: pytest.Item) -> Path | None:
    contexts = getattr(item, "browser_contexts", None)
    if not contexts:
        return None
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    number = 0
    for context in contexts:
        for page in context.pages:
            number += 1
            stem = folder / f"page-{number}"
            try:
                (stem.with_suffix(".url")).write_text(page.url + "\n")
                stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
                page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
            except Exception as error:  # noqa: BLE001 - a closed page must not hide the failure
                stem.with_suffix(".error.txt").write_text(f"{type(error).__name__}: {error}\n")
    server = item.funcargs.get("live_server") if hasattr(item, "funcargs") else None
    if server is not None and server.log.exists():
        shutil.copyfile(server.log, folder / "server.log")
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed and report.when == "call":
        folder = _save_artifacts(item)
        if folder is not None:
            report.sections.append(
                ("browser artefacts", f"Screenshots and HTML of the open pages: {folder}/")
            )
    return report
