"""Run `tick` every minute inside `asye360 serve` (unless SCHEDULER=off).

A daemon thread of the serving process: the work is idempotent and claims each email in the
database, so several instances running it at once close each round once and send each email
once; large deployments still prefer SCHEDULER=off and one scheduled `asye360 tick`.
"""

import logging
import threading
from datetime import UTC, datetime

from sqlmodel import Session

from app.db import get_engine
from app.timed.service import run_tick

log = logging.getLogger("asye360.tick")
INTERVAL_SECONDS = 60


def tick_once() -> None:
    try:
        with Session(get_engine(), expire_on_commit=False) as session:
            result = run_tick(session=session, now=datetime.now(UTC))
        if result.closed or result.reminded or result.report_ready:
            log.info("tick: %s", result)
    except Exception:  # a failed run must not stop the next one
        log.exception("tick failed")


def start_scheduler(stop: threading.Event | None = None) -> threading.Thread:
    stop = stop or threading.Event()

    def loop() -> None:
        tick_once()
        while not stop.wait(INTERVAL_SECONDS):
            tick_once()

    thread = threading.Thread(target=loop, name="asye360-tick", daemon=True)
    thread.start()
    return thread
