"""`make bench`: how fast the scorecard is on PostgreSQL at three sizes, against its floors.

    python -m bench.run [--sizes kent,region[,national]] [--runs 5] [--upload-runs 1]

Each size runs in its own process on its own database (DATABASE_URL's name plus
``_<size>``; default postgres://postgres@127.0.0.1:5432/scorecard_bench), generated once
and reused while its spec is unchanged. Each figure is a median in milliseconds and a ratio
to its floor:

- assembly (build_scorecard / build_scorecards / the indicator page's data): the floor is the
  same SQL run raw (cursor.execute + fetchall of the exact statements the assembly issued);
- page (Django test Client GET as a logged-in officer): the floor is the raw SQL the page
  issued; a page that answers 404 is reported missing. The scorecard and matrix pages keep their
  expensive part in the page cache until the data changes (scorecard/page_cache.py), so after
  the warm-ups "page" is the page as officers get it between uploads, and "page, cold cache" is
  the first view after a write (the cache emptied before every run; its floor is the SQL of a
  cold run);
- the 100,000-row upload end to end (parse, validate, diff, write with revisions, through
  indicators.importing.load): the floor is parsing the file with the csv module plus a
  PostgreSQL COPY of its rows. Reported end to end (preview, then commit) and for the commit alone
  (commit_ratio: what issue 7's acceptance asks of the upload);
- the preview of 50,000 new values on a measurements table that has never been analysed (its statistics
  removed, as on a fresh database or with autovacuum off): one run, no floor; the slowest statement is
  reported, so a plan that depends on statistics shows (issue 14 measured 226-380 s).

Medians of 5 runs after 2 warm-ups (the comparison matrix, 20 s a run at the region size: 3 runs after
1 warm-up), so `make bench` at kent and region stays under ten minutes on a 2-core machine.

Results: bench/results.json and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/scorecard_bench"
DEFAULT_SIZES = "kent,region"
SIZE_NAMES = ("kent", "region", "national")  # bench.generate.SIZES (which needs Django set up)
UPLOAD_ROWS = 100_000
UNANALYSED_PREVIEW_ROWS = 50_000
# The acceptance figures (region size).
GOALS = {"district_scorecard.assembly_ratio": 3.0, "district_scorecard.page_ms": 150.0, "upload.commit_ratio": 3.0}


# --- the parent: one child process per size, then the report ------------------------------------------


def database_url_for(base: str, size: str) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "scorecard_bench"
    if "bench" not in name:  # it drops statistics and writes freely: never a real database
        raise SystemExit(f"the benchmark only uses databases whose name says bench, not {name!r}")
    return urlunsplit(parts._replace(path=f"/{name}_{size}"))


def run_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL, size),
        "CELERY_BROKER_URL": "",  # the upload commits in-process, as import_measurements --commit does
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "scorecard.settings",
    }
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--child",
        size,
        "--runs",
        str(args.runs),
        "--upload-runs",
        str(args.upload_runs),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        return {"error": f"exit status {result.returncode}", "seconds": round(time.perf_counter() - started, 1)}
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "").strip() or DEFAULT_SIZES)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (after 2 warm-ups)")
    parser.add_argument(
        "--upload-runs",
        type=int,
        default=1,
        help="100k-row uploads (each changes 10,000 values, so every run writes revisions)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only-unanalysed-preview",
        action="store_true",
        help="measure only the preview on a never-analysed table (and print it)",
    )
    args = parser.parse_args(argv)
    if args.child:
        if args.only_unanalysed_preview:
            print(json.dumps(child_unanalysed_preview(args.child), default=str))
        else:
            print(json.dumps(child(args.child, args.runs, args.upload_runs), default=str))
        return 0

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZE_NAMES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: choose from {', '.join(SIZE_NAMES)}")
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": {},
    }
    for size in sizes:
        print(f"== {size}", file=sys.stderr, flush=True)
        results["sizes"][size] = run_size(size, args)
        print(json.dumps(results["sizes"][size], indent=1, default=str), file=sys.stderr, flush=True)
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (BENCH_DIR / "RESULTS.md").write_text(markdown(results))
    print(markdown(results))
    return 0 if all("error" not in r for r in results["sizes"].values()) else 1


def _cell(figure: dict[str, Any] | None, key: str = "median_ms") -> str:
    if not figure:
        return "–"
    if "missing" in figure:
        return "missing"
    if "error" in figure:
        return "error"
    value = figure.get(key)
    return "–" if value is None else f"{value:,.1f}"


def _ratio(figure: dict[str, Any] | None) -> str:
    if not figure or figure.get("ratio") is None:
        return "–"
    return f"{figure['ratio']:.2f}×"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['when']} on {results['machine']['cpus']} CPUs, Python {results['machine']['python']}, "
        "PostgreSQL (`make bench`; see `bench/run.py` for what each figure and floor is). Medians in milliseconds:",
        "5 runs after 2 warm-ups each (the comparison matrix: 3 runs after 1 warm-up; the upload: 1 run, each run",
        "writing 10,000 changed values with their revisions), so kent and region together take under ten minutes.",
        "",
    ]
    for size, data in results["sizes"].items():
        lines += [f"## {size}", ""]
        if "error" in data:
            lines += [f"Failed: {data['error']}", ""]
            continue
        counts = data["counts"]
        lines += [
            f"{counts['districts']} districts, {counts['teams']} teams, {counts['indicators']} indicators, "
            f"{counts['values']:,} values (generated in {data.get('generate_s', 0):.0f} s"
            f"{', reused' if data.get('reused') else ''}); whole size {data['seconds']:.0f} s.",
            "",
            "| figure | median ms | floor ms | ratio | queries |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, figure in data["figures"].items():
            note = figure.get("missing") or figure.get("error") or ""
            queries = figure.get("queries", "–")
            lines.append(
                f"| {name} | {_cell(figure)} | {_cell(figure, 'floor_ms')} | {_ratio(figure)} | {queries} |"
                + (f" {note}" if note else "")
            )
        lines.append("")
        upload = data["figures"].get("upload 100k rows: end to end", {})
        if upload.get("commit_ms") is not None:
            lines += [
                f"Upload: preview {upload['preview_ms']:,.1f} ms, commit {upload['commit_ms']:,.1f} ms "
                f"({upload['commit_ratio']:.2f}× parse + COPY).",
                "",
            ]
        unanalysed = data.get("preview_unanalysed", {})
        if unanalysed.get("ms") is not None:
            lines += [
                f"Preview of {unanalysed['values']:,} new values, measurements table never analysed: "
                f"{unanalysed['ms']:,.1f} ms (slowest statement {unanalysed['slowest_ms']:,.1f} ms; "
                f"no goal, one run; issue 14 measured 226,000-380,000 ms).",
                "",
            ]
        elif unanalysed:
            lines += [f"Preview on a never-analysed table: {unanalysed.get('error') or unanalysed.get('missing')}", ""]
    region = results["sizes"].get("region", {}).get("figures", {})
    if region:
        lines += ["## Acceptance (region)", ""]
        checks = [
            (
                "district scorecard assembly within 3× of raw SQL",
                region.get("district scorecard: assembly", {}).get("ratio"),
                GOALS["district_scorecard.assembly_ratio"],
            ),
            (
                "district scorecard page median < 150 ms",
                region.get("district scorecard: page", {}).get("median_ms"),
                GOALS["district_scorecard.page_ms"],
            ),
            (
                "100k-row upload commits within 3× of parse + COPY",
                region.get("upload 100k rows: end to end", {}).get("commit_ratio"),
                GOALS["upload.commit_ratio"],
            ),
        ]
        for label, value, goal in checks:
            verdict = "not measured" if value is None else ("met" if value < goal else "NOT met")
            lines.append(f"- {label}: {'–' if value is None else f'{value:.2f}'} ({verdict})")
        cold = region.get("district scorecard: page, cold cache", {}).get("median_ms")
        if cold is not None:
            lines.append(
                f"- (no goal) the district scorecard page's first view after a write, cache cold: {cold:.2f} ms"
            )
        whole = region.get("upload 100k rows: end to end", {}).get("ratio")
        if whole is not None:
            lines.append(
                f"- (no goal) the 100k-row upload end to end (preview, then commit) against parse + COPY: {whole:.2f}×"
            )
        lines.append("")
    return "\n".join(lines)


# --- the child: one size, on its own database ---------------------------------------------------------


def timed(function: Callable[[], Any], runs: int, warmups: int = 2) -> float:
    """Median wall time in milliseconds."""
    for _ in range(warmups):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def captured_sql(function: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        function()
    return [query["sql"] for query in context.captured_queries]


def raw_runner(statements: list[str]) -> Callable[[], None]:
    """The floor: the same statements, executed raw, every row fetched."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return run


def measure(function: Callable[[], Any], runs: int, warmups: int = 2) -> dict[str, Any]:
    statements = captured_sql(function)
    median = timed(function, runs, warmups)
    floor = timed(raw_runner(statements), runs, warmups)
    return {
        "median_ms": median,
        "floor_ms": floor,
        "ratio": round(median / floor, 2) if floor else None,
        "queries": len(statements),
    }


def measure_page(client: Any, url: str, runs: int, warmups: int = 2, cold: bool = False) -> dict[str, Any]:
    """``cold``: the page cache is emptied before each request (the first view after a write)."""
    from django.core.cache import cache

    def get() -> Any:
        if cold:
            cache.clear()
        return client.get(url)

    try:
        response = client.get(url)
    except Exception as error:  # noqa: BLE001 - a page still being built may fail: report it, measure the rest
        return {"error": f"{error.__class__.__name__}: {error}"[:300], "url": url}
    if response.status_code == 404:
        return {"missing": f"{url} answered 404", "url": url}
    if response.status_code != 200:
        return {"error": f"{url} answered {response.status_code}", "url": url}
    figure = measure(get, runs, warmups)
    figure.update(url=url, bytes=len(response.content))
    return figure


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        raise SystemExit("the benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    params: dict[str, Any] = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database["NAME"]}"')


def prepare(size_name: str) -> dict[str, Any]:
    """Migrate, and generate the data unless this database already holds this size's spec."""
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import SIZES, generate

    size = SIZES[size_name]
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (spec text NOT NULL, counts jsonb NOT NULL,"
            " generate_s real NOT NULL)"
        )
        cursor.execute("SELECT spec, counts, generate_s FROM bench_marker")
        marker = cursor.fetchone()
    if marker and marker[0] == size.spec:
        counts = marker[1] if isinstance(marker[1], dict) else json.loads(marker[1])
        return {"counts": counts, "generate_s": marker[2], "reused": True}
    started = time.perf_counter()
    counts = generate(size)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_marker")
        cursor.execute("INSERT INTO bench_marker VALUES (%s, %s, %s)", [size.spec, json.dumps(counts), seconds])
    return {"counts": counts, "generate_s": round(seconds, 1), "reused": False}


def officer_client() -> Any:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from scorecard.roles import OFFICERS

    user, _ = User.objects.get_or_create(username="bench-officer")
    user.groups.add(Group.objects.get(name=OFFICERS))
    client = Client()
    client.force_login(user)
    return client


def busiest_district() -> Any:
    """The district with the most serving teams (the largest district scorecard)."""
    from django.db.models import Count

    from districts.models import ReportingUnit

    return (
        ReportingUnit.objects.districts()
        .annotate(teams=Count("serving_teams"))
        .order_by("-teams", "display_order")
        .first()
    )


def explain(function: Callable[[], Any]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement the function issues."""
    from django.db import connection

    statements = captured_sql(function)
    slowest, slowest_time = "", -1.0
    with connection.cursor() as cursor:
        for sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
            if (elapsed := time.perf_counter() - started) > slowest_time:
                slowest, slowest_time = sql, elapsed
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{slowest}\n\n{plan}"


def upload_files(runs: int) -> list[tuple[str, bytes]]:
    """100,000-row long-layout CSVs of values already stored, 1 in 10 changed (a new amount each run).

    Where fewer values are stored (the Kent size), new months after the edition month fill the file.
    """
    from bench.generate import AS_AT
    from indicators.analysis.periods import Period, PeriodKind, add_months
    from indicators.models import Measurement

    stored = list(
        Measurement.objects.exclude(value=None)
        .order_by("-period_start", "indicator_id", "unit_id")
        .values_list("indicator__code", "unit__name", "period_kind", "period_start", "value")[:UPLOAD_ROWS]
    )
    rows: list[tuple[str, str, str, Any]] = [
        (code, unit, Period(start, PeriodKind(kind)).label, value) for code, unit, kind, start, value in stored
    ]
    if len(rows) < UPLOAD_ROWS:
        # Older months than the generated ten years: new values, and still in the past.
        from bench.generate import YEARS

        series = list(
            Measurement.objects.filter(period_kind=PeriodKind.MONTH.value, period_start=AS_AT).values_list(
                "indicator__code", "unit__name"
            )
        )
        month_offset = 12 * YEARS
        while len(rows) < UPLOAD_ROWS and series:
            label = Period(add_months(AS_AT, -month_offset), PeriodKind.MONTH).label
            rows += [(code, unit, label, 50) for code, unit in series[: UPLOAD_ROWS - len(rows)]]
            month_offset += 1
    files = []
    for run in range(1, runs + 1):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["indicator", "area", "period", "value", "numerator", "denominator", "status"])
        for number, (code, unit, label, value) in enumerate(rows):
            if number % 10 == 0:
                value = round(float(value) + run / 10, 1)
            writer.writerow([code, unit, label, value, "", "", ""])
        files.append((f"bench-upload-{run}.csv", out.getvalue().encode()))
    return files


def parse_and_copy_floor(content: bytes) -> None:
    """The floor of an upload: read every row of the file, then COPY the rows into a temporary table."""
    from django.db import connection, transaction

    from bench.generate import copy_lines

    rows = list(csv.reader(io.StringIO(content.decode())))[1:]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (indicator text, area text, period text, value numeric,"
            " numerator numeric, denominator numeric, status text) ON COMMIT DROP"
        )
        copy_lines("COPY bench_copy FROM STDIN", ("\t".join(cell or "\\N" for cell in row) + "\n" for row in rows))


def measure_upload(runs: int) -> dict[str, Any]:
    try:
        from indicators.importing.load import commit_upload, save_preview
    except ImportError as error:
        return {"missing": f"the upload pipeline is not there yet ({error})"}
    from django.contrib.auth.models import User

    from indicators.models import MeasurementRevision, Upload

    user, _ = User.objects.get_or_create(username="bench-mi")
    files = upload_files(runs)
    totals, previews, commits, outcomes = [], [], [], []
    for filename, content in files:
        revisions_before = MeasurementRevision.objects.count()
        started = time.perf_counter()
        upload = Upload.objects.create(filename=filename, content=content, size=len(content), uploaded_by=user)
        save_preview(upload)
        previewed = time.perf_counter()
        if upload.state != Upload.State.PREVIEWED:
            return {"error": f"the preview refused the file: {str(upload.errors)[:300]}"}
        Upload.objects.filter(pk=upload.pk).update(state=Upload.State.QUEUED, committed_by=user)
        state = commit_upload(upload.pk)
        finished = time.perf_counter()
        if state != Upload.State.COMMITTED:
            upload.refresh_from_db()
            return {"error": f"the commit ended {state}: {str(upload.errors)[:300]}"}
        upload.refresh_from_db()
        totals.append((finished - started) * 1000)
        previews.append((previewed - started) * 1000)
        commits.append((finished - previewed) * 1000)
        outcomes.append(
            {**upload.counts.get("committed", {}), "revisions": MeasurementRevision.objects.count() - revisions_before}
        )
    floor = timed(lambda: parse_and_copy_floor(files[0][1]), max(3, runs), warmups=1)
    median = round(statistics.median(totals), 1)
    commit = round(statistics.median(commits), 1)
    return {
        "median_ms": median,
        "floor_ms": floor,
        "ratio": round(median / floor, 2),
        "preview_ms": round(statistics.median(previews), 1),
        "commit_ms": commit,
        "commit_ratio": round(commit / floor, 2),
        "rows": UPLOAD_ROWS,
        "runs": outcomes,
    }


def new_values_file(rows: int) -> bytes:
    """A long-layout CSV of ``rows`` new values: months before the generated history, for every monthly series."""
    from bench.generate import AS_AT, YEARS
    from indicators.analysis.periods import Period, PeriodKind, add_months
    from indicators.models import Measurement

    series = list(
        Measurement.objects.filter(period_kind=PeriodKind.MONTH.value, period_start=AS_AT)
        .values_list("indicator__code", "unit__name")
        .order_by("indicator__code", "unit__name")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "area", "period", "value", "numerator", "denominator", "status"])
    written, months_back = 0, 12 * YEARS
    while written < rows and series:
        label = Period(add_months(AS_AT, -months_back), PeriodKind.MONTH).label
        for number, (code, unit) in enumerate(series[: rows - written]):
            writer.writerow([code, unit, label, 40 + (number + months_back) % 20, "", "", ""])
        written += min(len(series), rows - written)
        months_back += 1
    return out.getvalue().encode()


def forget_statistics() -> None:
    """Leave the measurements table as if never analysed: no column statistics, no row estimate, no autovacuum.
    (Catalog writes: the benchmark runs as a superuser on its own database.)"""
    from django.db import connection

    from indicators.models import Measurement

    table = Measurement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
        cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass", [table])


def restore_statistics() -> None:
    from django.db import connection

    from indicators.models import Measurement

    table = Measurement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
        cursor.execute(f"ANALYZE {table}")


def measure_unanalysed_preview(rows: int = UNANALYSED_PREVIEW_ROWS) -> dict[str, Any]:
    """The preview (save_preview: parse, check, compare, jump warnings) of ``rows`` new values, once, on a
    measurements table with no statistics; nothing is committed."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.importing.load import save_preview
    from indicators.models import Upload

    user, _ = User.objects.get_or_create(username="bench-mi")
    content = new_values_file(rows)
    upload = Upload.objects.create(
        filename="bench-new-values.csv", content=content, size=len(content), uploaded_by=user
    )
    forget_statistics()
    try:
        connection.force_debug_cursor = True  # time each statement
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            save_preview(upload)
            elapsed = (time.perf_counter() - started) * 1000
    finally:
        connection.force_debug_cursor = False
        restore_statistics()
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    result = {
        "ms": round(elapsed, 1),
        "values": upload.counts.get("values"),
        "new": upload.counts.get("new"),
        "state": upload.state,
        "slowest_ms": round(float(slowest["time"]) * 1000, 1),
        "slowest_sql": slowest["sql"][:400],
    }
    Upload.objects.filter(pk=upload.pk).delete()
    return result


def child(size_name: str, runs: int, upload_runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    ensure_database()
    from bench.generate import AS_AT
    from districts.models import ReportingUnit
    from indicators.analysis.periods import month
    from indicators.models import Indicator, ReportedFor
    from scorecard.assembly import build_scorecard, build_scorecards

    prepared = prepare(size_name)
    as_at = month(AS_AT.year, AS_AT.month)
    iso = f"{AS_AT.year}-{AS_AT.month:02d}"
    client = officer_client()
    district = busiest_district()
    districts = list(ReportingUnit.objects.districts())
    indicator = Indicator.objects.filter(reported_for=ReportedFor.DISTRICT, frequency="monthly").first()
    if indicator is None:
        raise SystemExit("the benchmark needs a monthly indicator reported for districts: generate the data first")
    figures: dict[str, Any] = {}

    figures["district scorecard: assembly"] = measure(lambda: build_scorecard(district, as_at), runs)
    figures["district scorecard: page"] = measure_page(client, f"/scorecard/{district.slug}/{iso}/", runs)
    figures["district scorecard: page, cold cache"] = measure_page(
        client, f"/scorecard/{district.slug}/{iso}/", runs, cold=True
    )
    figures["comparison matrix: assembly"] = measure(lambda: build_scorecards(districts, as_at), 3, warmups=1)
    figures["comparison matrix: page"] = measure_page(client, f"/compare/{iso}/", 3, warmups=1)
    figures["comparison matrix: page, cold cache"] = measure_page(client, f"/compare/{iso}/", 3, warmups=1, cold=True)
    try:
        from scorecard.pages.queries import indicator_page_data

        figures["indicator chart: assembly"] = measure(
            lambda: indicator_page_data(indicator.code, district.slug, iso), runs
        )
    except ImportError:
        figures["indicator chart: assembly"] = {"missing": "scorecard.pages.queries.indicator_page_data not there yet"}
    except Exception as error:  # noqa: BLE001 - being built by another engineer: report, don't stop
        figures["indicator chart: assembly"] = {"error": f"{error.__class__.__name__}: {error}"[:300]}
    figures["indicator chart: page"] = measure_page(client, f"/indicators/{indicator.code}/?area={district.slug}", runs)
    figures["upload 100k rows: end to end"] = measure_upload(upload_runs)
    try:
        unanalysed = measure_unanalysed_preview()
    except Exception as error:  # report, don't lose the other figures
        unanalysed = {"error": f"{error.__class__.__name__}: {error}"[:300]}
    return {
        **prepared,
        "preview_unanalysed": unanalysed,
        "district": district.name,
        "indicator": indicator.code,
        "figures": figures,
        "plan": explain(lambda: build_scorecard(district, as_at)),
    }


def child_unanalysed_preview(size_name: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    ensure_database()
    prepared = prepare(size_name)
    return {**prepared, "preview_unanalysed": measure_unanalysed_preview()}


if __name__ == "__main__":
    sys.exit(main())
