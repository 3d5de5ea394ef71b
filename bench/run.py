"""`make bench`: load without loss, then the four ratios, each against a baseline of the same run.

1. submission throughput and p50/p99 latency vs GET /api/v1/reference on the same server;
2. a closed round's report (2,000 responses) vs the bare SQL aggregate over its ratings;
3. national JSON (1,000 organisations × 5 years × ~60 respondents) vs a bare SQL GROUP BY over
   every rating, cold and warm;
4. peak Python memory while building national results, at two sizes of the ratings table.

`--small` shrinks everything so the whole run takes well under a minute (tests/load runs it);
only a full run rewrites the results in bench/README.md.
"""

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bench import generate, load
from bench.data import (
    add_national_user,
    add_report_round,
    open_round_with_links,
)
from bench.journey import bench_journeys
from bench.measure import FULL, SMALL, Ratio, Sizes, machine, scalar
from bench.memory import memory_ratio, national_peak_memory
from bench.national import bench_national
from bench.pdf_latency import PDFS_AT_ONCE, bench_pdf_latency
from bench.pgbench import pgbench_limit
from bench.report import bench_report
from bench.server import running_server, throwaway_postgres
from bench.throughput import RATE_LIMITS_ON, bench_throughput, bench_with_rate_limits

README = Path(__file__).with_name("README.md")
RESULTS_START = "<!-- results: written by `make bench`; do not edit by hand -->"
RESULTS_END = "<!-- end of results -->"


def _against_pgbench(url: str, round_id: int, details: dict, sizes: Sizes,
                     console: Console) -> Ratio:
    with console.status("PostgreSQL's own limit (pgbench)"):
        details["pgbench"] = pgbench_limit(url, round_id, seconds=sizes.throughput_seconds * 2)
    submissions, tps = details["throughput"]["submissions_per_second"], details["pgbench"]["tps"]
    return Ratio(
        name="1b. submissions vs PostgreSQL's own limit (pgbench: the same function call, one "
             "durable transaction each, 50 clients)",
        measured=f"{submissions:,.0f} submissions/s",
        baseline=f"{tps:,.0f} transactions/s",
        ratio=submissions / tps, target="for scale", met=None,
    )


def run(sizes: Sizes, console: Console, only: str = "all") -> tuple[list[Ratio], dict]:
    details: dict = {"machine": machine(), "sizes": sizes.__dict__}
    console.print(f"Machine: {details['machine']}")
    ratios: list[Ratio] = []
    if only == "throughput":
        return _throughput_only(sizes, console, details)
    if only == "pdf":
        return _pdf_only(sizes, console, details)

    # Load without loss and benchmark 1 share one database, on separate rounds, but not one
    # server: the kills leave dead connections idle in pools the load does not use again (the
    # one-statement pool that learns a new link), and each answers its next call with a 503, as
    # designed; on a busy machine that call could fall in benchmark 1's timed runs.
    with throwaway_postgres("launch") as url:
        database = make_url(url).database
        with running_server(url) as server:
            for kills in (0, sizes.kills):
                round_id, links = open_round_with_links(url)
                outcome = asyncio.run(load.submit_for(
                    base_url=server.base_url, admin_url=url, database=database, links=links,
                    seconds=sizes.load_seconds, kills=kills))
                stored = load.check_database(url, round_id)
                name = "load with connection kills" if kills else "load"
                details[name] = {
                    "summary": load.summary_lines(outcome, stored, kills=kills),
                    "problems": load.problems(outcome, stored, kills=kills),
                }
                _print_load(console, name, details[name])
        with running_server(url) as server:
            round_id, links = open_round_with_links(url)
            ratio, details["throughput"] = bench_throughput(server.base_url, links, sizes, console)
            ratios.append(ratio)
            journey_round, journey_links = open_round_with_links(url)
            journey, details["journeys"] = bench_journeys(server.base_url, url, journey_round,
                                                          journey_links, sizes, console)
        with running_server(url, extra_env=RATE_LIMITS_ON) as server:
            _, limited_links = open_round_with_links(url)
            limited, details["rate limits on"] = bench_with_rate_limits(
                server.base_url, limited_links, sizes, console,
                details["throughput"]["reference_per_second"])
        # After the server has stopped: its pools would otherwise hold connections pgbench needs.
        ratios.append(_against_pgbench(url, round_id, details, sizes, console))
        ratios.append(limited)
        ratios.append(journey)
    if only == "launch":
        return ratios, details

    with throwaway_postgres("national") as url:
        add_national_user(url)
        dataset = generate.load_national(
            url, organisations=sizes.organisations, years=sizes.years,
            respondents=sizes.respondents_before, console=console)
        before = (dataset.ratings, national_peak_memory(url))
        generate.add_respondents(url, dataset,
                                 respondents=sizes.respondents_after - sizes.respondents_before,
                                 console=console)
        report_round = add_report_round(url, sizes.report_responses, console)
        ratings = scalar(url, "SELECT count(*) FROM rating")
        details["data"] = {"ratings": ratings, "load_seconds": round(dataset.seconds, 1),
                           "rounds": len(dataset.rounds), "responses": dataset.responses}
        after = (ratings, national_peak_memory(url))
        ratio, details["report"] = bench_report(url, report_round, sizes.report_responses,
                                                sizes, console)
        ratios.append(ratio)
        national, details["national"] = bench_national(url, sizes, ratings, console)
        ratios.extend(national)
        _, survey_links = open_round_with_links(url)
        pdf_rounds = [report_round, *_more_report_rounds(url, sizes.report_responses, console)]
        with running_server(url) as server:
            ratio, details["pdf"] = bench_pdf_latency(server.base_url, url, pdf_rounds,
                                                      survey_links[0], sizes, console)
        ratios.append(ratio)
        ratios.append(memory_ratio(before, after))
    return ratios, details


def _throughput_only(sizes: Sizes, console: Console, details: dict) -> tuple[list[Ratio], dict]:
    """Benchmark 1 alone, on a fresh server: to compare a change before and after quickly."""
    with throwaway_postgres("throughput") as url:
        with running_server(url) as server:
            _, links = open_round_with_links(url)
            ratio, details["throughput"] = bench_throughput(server.base_url, links, sizes, console)
    return [ratio], details


def _pdf_only(sizes: Sizes, console: Console, details: dict,
              pdf_niceness: tuple[int, ...] = (0, 10)) -> tuple[list[Ratio], dict]:
    """Benchmark 6 alone: the report round and the timing at full size (FULL's 2,000 responses
    and 6 s runs, whatever `sizes` says), in a national data set of `sizes` (the report reads
    its cohort's rounds)."""
    with throwaway_postgres("pdf") as url:
        add_national_user(url)
        generate.load_national(url, organisations=sizes.organisations, years=sizes.years,
                               respondents=sizes.respondents_before, console=console)
        report_round = add_report_round(url, FULL.report_responses, console)
        pdf_rounds = [report_round, *_more_report_rounds(url, FULL.report_responses, console)]
        _, survey_links = open_round_with_links(url)
        ratios = []
        # Renders at the web process's priority and at the default PDF_NICENESS, one server
        # after the other on the same data: the change, before and after, in one run. Timed as
        # a full run is (6 s a run): a 2,000-response PDF takes seconds.
        for niceness in pdf_niceness:
            with running_server(url, extra_env={"PDF_NICENESS": str(niceness)}) as server:
                ratio, details[f"pdf niceness {niceness}"] = bench_pdf_latency(
                    server.base_url, url, pdf_rounds, survey_links[0], FULL, console)
            ratio.name += f" (PDF_NICENESS={niceness})"
            console.print(ratio.name, ratio.measured, ratio.baseline, f"{ratio.ratio:.2f}×",
                          details[f"pdf niceness {niceness}"])
            ratios.append(ratio)
    return ratios, details


def _more_report_rounds(url: str, responses: int, console: Console) -> list[int]:
    """Benchmark 6's PDF clients each render a round of their own (so never hit the PDF cache):
    the report round and these, of the same size."""
    return [add_report_round(url, responses, console, name=f"Report Bench Council {number}")
            for number in range(2, PDFS_AT_ONCE + 1)]


def _print_load(console: Console, name: str, result: dict) -> None:
    console.print(f"[bold]{name}[/bold]")
    for line in result["summary"]:
        console.print(f"  {line}")
    for problem in result["problems"]:
        console.print(f"  [red]✗ {problem}[/red]")
    if not result["problems"]:
        console.print("  [green]✓ every 2xx stored exactly once, whole; nothing else[/green]")


def ratio_table(ratios: list[Ratio]) -> Table:
    table = Table(title="ASYE 360 benchmarks")
    for column in ("benchmark", "measured", "baseline", "ratio", "target", ""):
        table.add_column(column)
    for r in ratios:
        table.add_row(r.name, r.measured, r.baseline, f"{r.ratio:.2f}×", r.target,
                      _verdict(r, met="[green]met[/green]", missed="[red]missed[/red]"))
    return table


def _verdict(ratio: Ratio, *, met: str, missed: str) -> str:
    return "" if ratio.met is None else met if ratio.met else missed


def results_markdown(ratios: list[Ratio], details: dict) -> str:
    m = details["machine"]
    lines = [
        RESULTS_START,
        "",
        f"Measured {m['date']} on {m['cpus']} CPUs ({m['cpu']}), {m['memory']} of memory, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; load average at the start "
        f"{m['load']}. Data: {details['data']['ratings']:,} ratings in "
        f"{details['data']['rounds']:,} closed rounds (+ the report round), loaded in "
        f"{details['data']['load_seconds']} s.",
        "",
        "| benchmark | measured | baseline (same run) | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for r in ratios:
        lines.append(f"| {r.name} | {r.measured} | {r.baseline} | {r.ratio:.2f}× | {r.target} | "
                     f"{_verdict(r, met='met', missed='**missed**')} |")
    lines += ["", "Load without loss (concurrency 50, real server, 2 workers, RATE_LIMITS=off):",
              ""]
    for name in ("load", "load with connection kills"):
        result = details[name]
        verdict = "; ".join(result["problems"]) or \
            "every 2xx stored exactly once, whole; nothing else stored"
        lines.append(f"- **{name}**: " + " ".join(result["summary"]) + f" → {verdict}.")
    journeys, pgbench, pdf = details["journeys"], details["pgbench"], details["pdf"]
    lines += [
        "",
        f"Whole journeys (benchmark 5): {journeys['completed']:,} journeys "
        f"({journeys['requests']:,} requests) in {journeys['seconds']:.1f} s, "
        f"{journeys['failures']} failed, {journeys['stored']:,} responses stored; "
        f"p99 ms per page {journeys['p99_ms']}. PostgreSQL's own limit (1b): "
        f"`{pgbench['command']}`, {pgbench['tps']:,.0f} transactions/s, "
        f"{pgbench['failed']} failed. PDFs (6): page p99 alone {pdf['alone_p99_ms']} ms, "
        f"with 4 PDFs rendering {pdf['with_pdfs_p99_ms']} ms ({pdf['pdfs']} PDFs).",
    ]
    lines += [
        "",
        f"Details: throughput runs per endpoint {details['throughput']['runs']}, with rate "
        f"limits on {details['rate limits on']['runs']}; national "
        f"cold ratio {details['national']['cold_ratio']}, warm ratio "
        f"{details['national']['warm_ratio']}, with group_by=respondent_type (warm) "
        f"{details['national']['group_by_respondent_type_warm_ms']} ms.",
        "",
        RESULTS_END,
    ]
    return "\n".join(lines)


def write_readme(markdown: str) -> None:
    text = README.read_text()
    start, end = text.index(RESULTS_START), text.index(RESULTS_END) + len(RESULTS_END)
    README.write_text(text[:start] + markdown + text[end:])


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    small: bool = typer.Option(False, "--small", help="Tiny sizes: checks the scripts work"),
    only: str = typer.Option("all", help="all; launch: load, submissions, pgbench and journeys "
                             "(no national data set); throughput: benchmark 1 alone; pdf: "
                             "benchmark 6 alone (a 2,000-response report round). Only `all` "
                             "rewrites the README"),
    write: bool = typer.Option(None, help="Rewrite bench/README.md (default: on a full run)"),
) -> None:
    """Run the load checks and the four benchmarks; print the ratios."""
    console = Console()
    ratios, details = run(SMALL if small else FULL, console, only=only)
    console.print(ratio_table(ratios))
    if (write if write is not None else not small) and only == "all":
        write_readme(results_markdown(ratios, details))
        console.print(f"Results written to {README}")
    problems = [problem for name in ("load", "load with connection kills")
                for problem in details.get(name, {}).get("problems", [])]
    if problems:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    cli()
