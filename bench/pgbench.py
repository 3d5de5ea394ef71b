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

from sqlalchemy.engine import make_url

from app.statements.loader import get_statement_sets
from app.survey.answers import pack_answers
from bench.measure import scalar

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
    the last one "I do not know")."""
    token = scalar(url, "SELECT token FROM round_link WHERE round_id = %s "
                        "AND respondent_type = 'nqsw'", round_id)
    key = scalar(url, "SELECT statement_set FROM evaluation_round WHERE id = %s", round_id)
    statement_set = get_statement_sets()[key]
    numbers = sorted(statement_set.numbers)
    ratings = {number: 1 + number % 5 for number in numbers[:-1]} | {numbers[-1]: None}
    return [("token", token), ("statement_set", key),
            ("answers", pack_answers(ratings, statement_set))]
