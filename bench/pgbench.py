"""PostgreSQL's own limit for complete responses, measured with `pgbench` in the same run.

Each pgbench transaction stores what one submission stores: one response row and its 32 rating
rows (one statement, so one round trip, committed durably: `synchronous_commit` as the server
has it, on by default), from 50 clients on the benchmark's database and round. Submissions per
second are then reported as a fraction of it: how close the service comes to the database.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

SCRIPT = """\
WITH r AS (
  INSERT INTO response (id, round_id, respondent_type)
  VALUES (md5(random()::text || clock_timestamp()::text || :client_id), :round, 'nqsw')
  RETURNING id)
INSERT INTO rating (response_id, statement_number, score)
SELECT r.id, n, 1 + n % 5 FROM r, generate_series(1, 32) AS n;
"""


def pgbench_limit(url: str, round_id: int, *, seconds: float, clients: int = 50) -> dict:
    """Complete responses per second PostgreSQL itself takes: {"tps": …, "command": …}."""
    binary = shutil.which("pgbench")
    if binary is None:
        raise RuntimeError("pgbench is missing: `make bench-system` installs postgresql-contrib")
    parsed = make_url(url)
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "response.sql"
        script.write_text(SCRIPT)
        command = [binary, "--no-vacuum", "--protocol=prepared", f"--client={clients}",
                   "--jobs=2", f"--time={max(1, round(seconds))}", f"--file={script}",
                   f"--define=round={round_id}", f"--host={parsed.host or '127.0.0.1'}",
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
