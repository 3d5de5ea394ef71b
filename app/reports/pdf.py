"""The report as a tagged, accessible PDF: rendered once per version, in a bounded pool.

Rendering takes seconds of CPU, so it happens in at most `PDF_WORKERS` worker processes per web
worker (a process pool: the survey pages in the web process keep their GIL), at a low CPU
priority (`PDF_NICENESS`: the pages keep their cores while a PDF renders), and each
version of a round's report is rendered once and kept in `report_pdf`. The version is a digest
of the HTML it is rendered from, so a report that changes (its benchmarks republished, a new
template) is rendered again, and one that does not is never rendered twice.
"""

import contextlib
import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.config import get_settings
from app.reports.models import ReportPdf

# PDF/UA-1: a structure tree (tags), the document's title shown and its language (from
# <html lang> and <title>), so a screen reader can read the PDF as it reads the page.
PDF_VARIANT = "pdf/ua-1"

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
renders = 0  # PDFs rendered by this process's pool since start (a second download adds none)


def render_pdf(html: str) -> bytes:
    """Render the print version of the report to a tagged A4 PDF (run in a worker process)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def _lower_priority(niceness: int) -> None:
    """The render workers' initializer: run `niceness` (PDF_NICENESS) below the web process.

    Rendering is background work someone waits seconds for anyway; a respondent waits for a
    page. At niceness 10 the kernel gives a render about a tenth of the CPU time of a web worker
    that wants the same core, so survey pages barely slow while PDFs render, and a render still
    uses any core that is otherwise idle.
    """
    with contextlib.suppress(OSError):  # not allowed here (some sandboxes): render as we are
        os.nice(niceness)


def _render_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # "spawn": a fresh interpreter, never a fork of a web process holding threads and
            # database connections.
            _pool = ProcessPoolExecutor(max_workers=get_settings().pdf_workers,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_lower_priority,
                                        initargs=(get_settings().pdf_niceness,))
        return _pool


def shutdown_render_pool() -> None:
    """Stop the worker processes (at shutdown; the next render starts a new pool)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
            _pool = None


def version_of(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def render_in_pool(html: str) -> bytes:
    """Render a small document (evidence, poster, code slips) in the same bounded pool, so it
    never takes a core from the survey pages either; not kept."""
    return _render_pool().submit(render_pdf, html).result()


def cached_report_pdf(*, session: Session, round_id: int, html: str) -> bytes:
    """The round's report as a PDF: the kept one when it is of this version, otherwise rendered
    in the pool and kept (replacing the round's older version)."""
    global renders
    version = version_of(html)
    kept = session.get(ReportPdf, round_id)
    if kept is not None and kept.version == version:
        return kept.pdf
    pdf = _render_pool().submit(render_pdf, html).result()
    renders += 1
    if kept is None:
        kept = ReportPdf(round_id=round_id, version=version, pdf=pdf,
                         rendered_at=datetime.now(UTC))
    else:
        kept.version, kept.pdf, kept.rendered_at = version, pdf, datetime.now(UTC)
    session.add(kept)
    try:
        session.commit()
    except IntegrityError:
        # Another request rendered the same round's first PDF at the same moment and kept it
        # first: this one is the same document, so answer it and keep theirs.
        session.rollback()
    return pdf
