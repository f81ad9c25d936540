"""`make bench`: speed and size, measured as ratios within one run on this machine.
Not part of `make test`: timings belong here, not in assertions.

1. context collection and the whole keyless investigation over every committed case;
2. log volume: bundles of 10k, 100k and 1M log lines, summarised on one core, and the size
   of what the model would read against the raw data;
3. the demo as a user runs it (whole process)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"context_p95_s": 1.0, "one_core_1m_s": 5.0, "model_input_tokens": 6000}


def tokens_estimate(chars: int) -> int:
    return chars // 4  # estimated: Claude averages close to 4 characters a token on this kind of text


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def time_case(case: Path) -> tuple[float, float, int, int]:
    """(context seconds, investigation seconds, model-input chars, raw bytes) with fresh backends each time."""
    from oncall.analysts.offline.analyst import OfflineAnalyst
    from oncall.context import collect
    from oncall.core.investigation import Settings
    from oncall.estate.bundle import Bundle
    from oncall.investigate import investigate, prepare

    b = Bundle.open(case)
    t0 = time.perf_counter()
    alert, runner = prepare(b.alert_payload(), b.catalog, b.backends(), Settings())
    ctx = collect(alert, b.catalog, runner)
    context_s = time.perf_counter() - t0
    catalog = b.catalog
    b = Bundle.open(case)
    t0 = time.perf_counter()
    investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())
    total_s = time.perf_counter() - t0
    from oncall.analysts.claude.prompt import first_turn

    chars = len(first_turn(alert, catalog, ctx.services, ctx.results))  # exactly the first user turn
    raw = sum(p.stat().st_size for p in case.iterdir() if p.is_file() and p.suffix in (".jsonl", ".om"))
    return context_s, total_s, chars, raw


def one_core(case: str) -> None:
    """Child process: pinned to one CPU, load and summarise every service's logs once."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(json.dumps(dict(zip(("context_s", "investigate_s", "chars", "raw"), time_case(Path(case)), strict=True))))


def corpus() -> None:
    cases = sorted(p.parent for p in (ROOT / "fixtures").rglob("truth.yaml"))
    rows = [time_case(c) for c in cases]
    ctx, inv, chars = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    print(f"\n{len(cases)} committed cases (fixtures/demo and fixtures/scenarios), 2 cores")
    print(f"{'':24} {'p50':>8} {'p95':>8} {'max':>8}")
    print(
        f"{'context collection':24} {pct(ctx, 50):>7.3f}s {pct(ctx, 95):>7.3f}s {max(ctx):>7.3f}s"
        f"   target p95 < {TARGETS['context_p95_s']}s"
    )
    print(f"{'keyless investigation':24} {pct(inv, 50):>7.3f}s {pct(inv, 95):>7.3f}s {max(inv):>7.3f}s")
    print(
        f"{'first user turn, tokens':24} {tokens_estimate(pct(chars, 50)):>8} {tokens_estimate(pct(chars, 95)):>8} "
        f"{tokens_estimate(max(chars)):>8}   (estimated, chars/4)"
    )


def volume() -> None:
    from oncall.eval.scenarios.world import make_case

    print("\nlog volume (bad_config on the payments topology), summarised on ONE core")
    print(f"{'log lines':>10} {'raw data':>10} {'context':>9} {'investigate':>12} {'model input':>13} {'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (13, 132, 1316):
            case = Path(tmp) / f"scale{scale}"
            make_case(case, "bad_config", "payments", 7, log_scale=scale)
            lines = sum(1 for _ in (case / "logs.jsonl").open())
            out = subprocess.run(
                [sys.executable, "-m", "tests.bench", "--one-core", str(case)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            r = json.loads(out.stdout)
            print(
                f"{lines:>10} {r['raw'] / 1e6:>8.1f}MB {r['context_s']:>8.2f}s {r['investigate_s']:>11.2f}s "
                f"{tokens_estimate(r['chars']):>7} tokens {r['raw'] / r['chars']:>7.0f}x"
            )
    print(
        f"targets: 1M lines under {TARGETS['one_core_1m_s']}s on one core; model input under "
        f"{TARGETS['model_input_tokens']} tokens whatever the volume"
    )


def demo_process() -> None:
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "oncall.cli", "investigate", str(ROOT / "fixtures" / "demo")],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t0)
    print(f"\n`oncall investigate fixtures/demo`, whole process: median of 5 {statistics.median(times):.2f}s")


def _timed_investigation(bundle: Path, cache: Path, timeouts: list[str] | None = None) -> tuple[float, float, int, str]:
    """(wall seconds, seconds from the last line printed to the exit, peak RSS MiB, root cause) of
    `oncall investigate` as a user runs it, with its own cache folder; the tool calls that timed out
    are added to `timeouts`."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    t0 = time.perf_counter()
    p = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "oncall.cli", "investigate", str(bundle), "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    assert p.stdout is not None and p.stderr is not None
    last, lines = t0, []
    for line in p.stdout:
        last = time.perf_counter()
        lines.append(line)
    err = p.stderr.read()
    p.wait()
    end = time.perf_counter()
    brief = json.loads("".join(lines))
    rc = brief["root_cause"]
    if timeouts is not None:
        timeouts += [r["id"] for r in brief["investigation"]["sources"] if "timed out" in (r.get("error") or "")]
    return end - t0, end - last, int(err.strip().splitlines()[-1]) // 1024, f"{rc['service']}/{rc['confidence']}"


def _plain_aggregate(logs: Path) -> float:
    """Seconds for the simplest DuckDB summary of the same file (lines per service and level), in a
    process of its own: the yardstick for the streamed pass."""
    code = (
        'import duckdb,sys,time; t=time.perf_counter(); c=duckdb.connect(); c.execute("SET enable_progress_bar = false"); '
        'c.execute("SELECT service, level, count(*) '
        "FROM read_json(?, format='newline_delimited', columns={'service':'VARCHAR','level':'VARCHAR'}) "
        'GROUP BY ALL", [sys.argv[1]]).fetchall(); print(time.perf_counter()-t)'
    )
    out = subprocess.run([sys.executable, "-c", code, str(logs)], capture_output=True, text=True, check=True)
    return float(out.stdout)


def log_scale() -> None:
    """One incident buried in 1 M and 10 M log lines: the whole investigation against a plain DuckDB
    aggregate over the same file (targets at 10 M: right, no tool timeout, within 3x the aggregate,
    peak memory at most half the file)."""
    from oncall.eval.scenarios.world import make_case

    print("\nlog lines at scale (bad_config on the payments topology), whole process, 2 cores")
    print(
        f"{'log lines':>11} {'file':>8} {'aggregate':>10} {'investigate':>12} {'ratio':>6} {'peak':>9} {'peak/file':>9} {'timeouts':>8}  root cause"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (1316, 13160):
            case = Path(tmp) / f"logs{scale}"
            make_case(case, "bad_config", "payments", 7, log_scale=scale)
            logs = case / "logs.jsonl"
            lines = sum(1 for _ in logs.open("rb"))
            size = logs.stat().st_size
            plain = min(_plain_aggregate(logs) for _ in range(2))
            timeouts: list[str] = []
            # the best of two, as the aggregate is (each run from a cold cache of its own); the peak
            # memory is the larger, and a timeout in either counts
            runs = [_timed_investigation(case, Path(tmp) / f"c{scale}-{i}", timeouts) for i in range(2)]
            wall, root = min(r[0] for r in runs), runs[0][3]
            rss = max(r[2] for r in runs)
            if runs[1][3] != root:
                root = f"{root} then {runs[1][3]}"
            print(
                f"{lines:>11,} {size / 1e6:>6.0f}MB {plain:>9.2f}s {wall:>11.2f}s {wall / plain:>5.1f}x "
                f"{rss:>6}MiB {rss * 2**20 / size:>8.2f} {len(timeouts):>8}  {root}"
            )
            shutil.rmtree(case)


def estate_size() -> None:
    """The demo's incident in an estate of 1,000 and 3,000 services (every service's metrics in the
    file): the first run builds the metrics index, later runs reuse it."""
    from tests.widen import widen

    print("\nestate size: the demo's incident among N quiet services, whole process (targets: 1,000 services")
    print("within 2x the demo's time and right; 3,000 with no tool timeout; the exit within 1 s of the brief)")
    print(
        f"{'':22} {'metrics file':>12} {'first run':>10} {'next run':>9} {'ratio':>6} {'exit after':>11} {'peak':>8}  root cause, confidence"
    )
    with tempfile.TemporaryDirectory() as tmp:
        demo = ROOT / "fixtures" / "demo"
        base, _, _, _ = _timed_investigation(demo, Path(tmp) / "c0")
        base = min(base, _timed_investigation(demo, Path(tmp) / "c0")[0])
        print(f"{'demo (6 services)':22} {(demo / 'metrics.om').stat().st_size / 1e6:>10.1f}MB {base:>9.2f}s")
        for n in (1000, 3000):
            case = widen(demo, Path(tmp) / f"w{n}", n)
            cold, _, rss, _ = _timed_investigation(case, Path(tmp) / f"c{n}")
            warm, exit_s, _, root2 = _timed_investigation(case, Path(tmp) / f"c{n}")
            size = (case / "metrics.om").stat().st_size / 1e6
            print(
                f"{f'{n:,} services':22} {size:>10.0f}MB {cold:>9.2f}s {warm:>8.2f}s {warm / base:>5.1f}x "
                f"{exit_s:>10.2f}s {rss:>6}MiB  {root2}"
            )
            shutil.rmtree(case)


def peak_rss_mib() -> int:
    """This process's peak RSS. Not ru_maxrss: Linux carries that across exec, so a child started by a
    large parent reports the parent's size; VmHWM belongs to this process's own memory map."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def burst(replicas: int = 1, alerts: int = 10_000, groups: int = 300, postgres: bool = False) -> None:
    """A burst of alerts in groups with late members, posted on loopback by 16 clients in another
    process to `oncall serve` (one replica on SQLite, or several sharing PostgreSQL), while each
    replica's two worker processes investigate; then every alert is looked up after the drain."""
    import signal

    from oncall.serving.queue import open_queue
    from tests.net import free_port, wait_http
    from tests.test_serve import TOKEN

    with tempfile.TemporaryDirectory() as tmp:
        pg = None
        url = None
        if replicas > 1 or postgres:
            from tests.pgserver import start_postgres

            pg = start_postgres()
            url = pg.database()
        ports, procs = [], []
        for i in range(replicas):
            ports.append(free_port())
            env = {**os.environ, "ONCALL_WEBHOOK_TOKEN": TOKEN, "XDG_STATE_HOME": tmp}
            if url:
                env["ONCALL_QUEUE_URL"] = url
            args = [sys.executable, "-m", "oncall.cli", "serve", "--bundle", str(ROOT / "fixtures" / "demo")]
            args += ["--port", str(ports[-1]), "--workers", "2", "--state", f"{tmp}/r{i}"]
            procs.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))  # fmt: skip
        try:
            for port in ports:
                wait_http(f"http://127.0.0.1:{port}/healthz")
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "tests.burst_client", ",".join(map(str, ports)), TOKEN, str(alerts), str(groups)],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            sent = json.loads(out.stdout)
            q = open_queue(Path(tmp) / "r0", url, recover=False)
            while (counts := q.counts()).get("queued") or counts.get("running"):
                time.sleep(0.5)
            drained_s = time.perf_counter() - t0
            lost = sum(1 for fp in sent["fingerprints"] if len(q.whereabouts(fp)) != 1)
            q.close()
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(30)
            if pg:
                pg.stop()
    where = f"{replicas} replica{'s' if replicas > 1 else ''}, {'PostgreSQL' if url else 'SQLite'}"
    print(
        f"{where:<26} {sent['accepted']:>6} {sent['seconds']:>8.2f}s {sent['p50_ms']:>7.1f}ms {sent['p99_ms']:>7.1f}ms "
        f"{counts.get('done', 0):>6} {drained_s:>8.0f}s {lost:>6}"
    )


def bursts() -> None:
    print("\nburst: 10,000 alerts in 300 groups with late members, 16 clients; 2 workers per replica")
    print(f"{'':26} {'accepted':>6} {'in':>9} {'p50':>9} {'p99':>9} {'jobs':>6} {'drained':>9} {'unaccounted':>6}")
    print("targets: all accepted in < 5 s, accept p99 < 50 ms, 0 unaccounted")
    for replicas, pg in ((1, False), (1, True), (2, True)):  # each in its own process: the servers' figures
        code = f"import tests.bench as b; b.burst({replicas}, postgres={pg})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def cold_start() -> None:
    """Import time of the Lambda handler module, and of the first invocation's set-up imports."""
    code = "import time; t=time.perf_counter(); import oncall.serving.lambda_handler; print(time.perf_counter()-t)"
    imp = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout)
        for _ in range(5)
    ]
    code = (
        "import time; t=time.perf_counter(); import boto3, aws_lambda_powertools.utilities.idempotency, "
        "slack_sdk, oncall.estate.bundle, oncall.investigate, oncall.analysts.offline.analyst; print(time.perf_counter()-t)"
    )
    full = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout)
        for _ in range(5)
    ]
    print(
        f"\nLambda cold start: handler module import {statistics.median(imp) * 1000:.0f} ms; first-invocation "
        f"imports (boto3, powertools, slack_sdk, analyst) {statistics.median(full) * 1000:.0f} ms (medians of 5)"
    )


def backends() -> None:
    """read_metrics on the demo through a real Prometheus (backfilled with promtool) vs. the embedded file."""
    import shutil
    import tempfile

    if not shutil.which("prometheus"):
        print("\nprometheus not installed: backend comparison skipped")
        return
    from oncall.core.investigation import Settings
    from oncall.estate.bundle import Bundle
    from oncall.investigate import prepare
    from oncall.tools.read_metrics.prometheus import PrometheusMetrics
    from oncall.tools.remote import Remote
    from tests.test_backend_prometheus import start_prometheus

    demo = ROOT / "fixtures" / "demo"
    url, proc = start_prometheus(Path(tempfile.mkdtemp()), [demo])
    try:
        b = Bundle.open(demo)
        print(f"\nread_metrics for the demo's {len(b.catalog.services)} services, median of 5 (new backend each run)")
        for name in ("embedded", "prometheus"):
            times, texts = [], []
            for _ in range(5):
                be = b.backends()
                if name == "prometheus":
                    be.metrics = PrometheusMetrics(Remote("Prometheus", url))
                _, runner = prepare(b.alert_payload(), b.catalog, be, Settings())
                t = time.perf_counter()
                results = runner.call_many([("read_metrics", {"service": s}) for s in b.catalog.services])
                times.append(time.perf_counter() - t)
                texts = [r.text for r in results]
            print(f"  {name:<11} {statistics.median(times):.3f}s  (summaries: {sum(map(len, texts))} chars)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one-core":
        one_core(sys.argv[2])
        return
    corpus()
    volume()
    log_scale()
    demo_process()
    estate_size()
    # its own process, so the peak memory it reports is the server's, not this run's
    bursts()
    cold_start()
    backends()


if __name__ == "__main__":
    main()
