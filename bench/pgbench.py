"""PostgreSQL's own limit for complete responses, measured with `pgbench` in the same run.

Each pgbench transaction does in the database exactly what one submission does there: one call
of `asye_submit_response` with the benchmark's link (it finds the link, share-locks the round,
checks it is open and stores the response with its answers packed in it), committed durably
(`synchronous_commit` as the server has it, on by default), from 50 clients. Submissions per
second are then reported as a fraction of it: how close the service comes to the database doing
the same work with no HTTP and no Python.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.statements.loader import get_statement_sets

SCRIPT = """\
SELECT * FROM asye_submit_response(:token, NULL, NULL,
  md5(random()::text || clock_timestamp()::text || :client_id), :statement_set,
  :answers);
"""


def pgbench_limit(url: str, round_id: int, *, seconds: float, clients: int = 50) -> dict:
    """Complete responses per second PostgreSQL itself takes for an open round (one of its
    links, its statement set): {"tps": …, "command": …}."""
    binary = shutil.which("pgbench")
    if binary is None:
        raise RuntimeError("pgbench is missing: `make bench-system` installs postgresql-contrib")
    parsed = make_url(url)
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "response.sql"
        script.write_text(SCRIPT)
        command = [binary, "--no-vacuum", "--protocol=prepared", f"--client={clients}",
                   "--jobs=2", f"--time={max(1, round(seconds))}", f"--file={script}",
                   *(f"--define={name}={value}" for name, value in _link_of(url, round_id)),
                   f"--host={parsed.host or '127.0.0.1'}",
                   f"--port={parsed.port or 5432}", f"--username={parsed.username or 'postgres'}",
                   parsed.database]
        env = {"PGPASSWORD": parsed.password} if parsed.password else {}
        done = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, **env})
    if done.returncode:
        raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if match is None:
        raise RuntimeError(f"pgbench gave no figure: {done.stdout}\n{done.stderr}")
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    return {"tps": float(match.group(1)), "clients": clients,
            "failed": int(failed.group(1)) if failed else 0,
            "command": "pgbench --no-vacuum --protocol=prepared "
                       f"--client={clients} --jobs=2 --time={max(1, round(seconds))}"}


def _link_of(url: str, round_id: int) -> list[tuple[str, str]]:
    """pgbench's variables for one anonymous link of the round: its token, the round's statement
    set, and a complete response packed as a submission packs it (a score for every statement,
    one "I do not know")."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            token, statement_set = connection.execute(text(
                "SELECT l.token, r.statement_set FROM round_link l "
                "JOIN evaluation_round r ON r.id = l.round_id "
                "WHERE r.id = :round AND l.respondent_type = 'nqsw'"), {"round": round_id}).one()
    finally:
        engine.dispose()
    count = len(get_statement_sets()[statement_set].numbers)
    answers = "".join(str(1 + n % 5) for n in range(count - 1)) + "-"
    return [("token", token), ("statement_set", statement_set), ("answers", answers)]
