"""Two servers on one PostgreSQL database behind nginx: do the limits hold across them?

PRODUCT.md §6: the service is stateless apart from its database, so any number of instances
behind a load balancer behave as one. This starts two `asye360 serve` processes on one throwaway
database (rate limits on, at the configured numbers), nginx in front of them balancing round
robin (deploy/nginx.conf's settings; nginx from Debian, `make bench-system`), and checks through
nginx that:

- the sign-in limit per account trips after SIGN_IN_ATTEMPTS_PER_ACCOUNT wrong passwords, not
  twice that (each instance counting its own);
- the per-link ceiling trips after SUBMISSIONS_PER_LINK_PER_MINUTE submissions, not twice that.

`make scaleout` (or `python -m bench.scaleout`); exit status 1 when a limit does not hold. Limits
kept in each process's memory fail this check by design: it passes once they live in the database.
"""

import secrets
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import typer

from bench import load
from bench.data import NATIONAL_EMAIL, add_national_user, open_round_with_links
from bench.server import free_port, running_server, throwaway_postgres

SIGN_IN_LIMIT = 5
CEILING = 20

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream asye360 {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://asye360;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@contextmanager
def nginx_in_front(upstreams: list[str]):
    """nginx balancing round robin over `upstreams` (base URLs); yields its base URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is missing: `make bench-system` installs it from Debian")
    port = free_port()
    with tempfile.TemporaryDirectory() as prefix:
        servers = "\n".join(f"        server {url.removeprefix('http://')};" for url in upstreams)
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(prefix=prefix, servers=servers, port=port))
        process = subprocess.Popen([binary, "-p", prefix, "-c", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 15
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=2)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"nginx did not start: {conf.read_text()}") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def sign_in_trips_at(base: str, attempts: int) -> int | None:
    """The attempt (1-based) first refused with 429, among `attempts` wrong passwords."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for attempt in range(1, attempts + 1):
            response = client.post("/api/v1/auth/token",
                                   data={"username": NATIONAL_EMAIL, "password": "wrong" * 4})
            if response.status_code == 429:
                return attempt
            if response.status_code != 401:
                raise RuntimeError(f"sign-in answered {response.status_code}: {response.text}")
    return None


def ceiling_trips_at(base: str, token: str, attempts: int) -> int | None:
    """The submission (1-based) first refused with 429, among `attempts` complete ones."""
    import random

    rng = random.Random(17)
    with httpx.Client(base_url=base, timeout=30) as client:
        for attempt in range(1, attempts + 1):
            response = client.post(f"/api/v1/survey/{token}/responses",
                                   json={"ratings": load.ratings_for(attempt, rng)})
            if response.status_code == 429:
                return attempt
            if response.status_code != 201:
                raise RuntimeError(f"submission answered {response.status_code}: "
                                   f"{response.text}")
    return None


def check(instances: int = 2) -> dict:
    # One SECRET_KEY for every instance, as in any real deployment: the limiter stores keyed
    # hashes of its keys, so instances with different keys would count apart.
    settings = {"SECRET_KEY": secrets.token_urlsafe(48),
                "RATE_LIMITS": "on", "SIGN_IN_ATTEMPTS_PER_ACCOUNT": str(SIGN_IN_LIMIT),
                "SIGN_IN_ATTEMPTS_PER_ADDRESS": str(SIGN_IN_LIMIT * 10),
                "SUBMISSIONS_PER_LINK_PER_MINUTE": str(CEILING)}
    with throwaway_postgres("scaleout") as url:
        add_national_user(url)
        _, links = open_round_with_links(url)
        with ExitStack() as stack:
            servers = [stack.enter_context(running_server(url, workers=1, extra_env=settings))
                       for _ in range(instances)]
            base = stack.enter_context(nginx_in_front([s.base_url for s in servers]))
            sign_in = sign_in_trips_at(base, SIGN_IN_LIMIT * instances + 2)
            ceiling = ceiling_trips_at(base, links[0], CEILING * instances + 2)
    return {
        "instances": instances,
        "sign_in": {"limit": SIGN_IN_LIMIT, "refused_from_attempt": sign_in,
                    "holds": sign_in == SIGN_IN_LIMIT + 1},
        "ceiling": {"limit": CEILING, "refused_from_submission": ceiling,
                    "holds": ceiling == CEILING + 1},
    }


def main() -> None:
    """Run the check and say, for each limit, where it tripped."""
    result = check()
    for name in ("sign_in", "ceiling"):
        figures = result[name]
        tripped = next(v for k, v in figures.items() if k.startswith("refused_from"))
        verdict = "holds" if figures["holds"] else "DOES NOT HOLD"
        print(f"{name}: limit {figures['limit']}, first refused at {tripped} through nginx in "
              f"front of {result['instances']} servers → {verdict}")
    if not (result["sign_in"]["holds"] and result["ceiling"]["holds"]):
        raise typer.Exit(code=1)


if __name__ == "__main__":
    typer.run(main)
