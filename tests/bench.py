"""`make bench`: speed and size figures, measured as ratios within one run.
Not part of `make test`: timings belong here, not in assertions."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from agent.bundle import Bundle
from agent.context import collect
from agent.investigate import Settings, investigate, prepare
from agent.offline import OfflineAnalyst

ROOT = Path(__file__).resolve().parents[1]


def tokens_estimate(text: str) -> int:
    return len(text) // 4  # Claude averages close to 4 characters a token on this kind of text


def bench_bundle(root: Path, repeat: int = 5) -> dict[str, float]:
    context_s, total_s = [], []
    text = ""
    for _ in range(repeat):
        b = Bundle.open(root)  # fresh backends: nothing cached between runs
        t0 = time.perf_counter()
        alert, runner = prepare(b.alert_payload(), b.catalog, b.backends(), Settings())
        ctx = collect(alert, b.catalog, runner)
        context_s.append(time.perf_counter() - t0)
        b = Bundle.open(root)
        t0 = time.perf_counter()
        investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())
        total_s.append(time.perf_counter() - t0)
        text = "\n".join(r.text for r in ctx.results)
    raw = sum(p.stat().st_size for p in root.iterdir() if p.is_file() and p.suffix in (".jsonl", ".om"))
    return {
        "context_p50_s": statistics.median(context_s),
        "context_max_s": max(context_s),
        "investigate_p50_s": statistics.median(total_s),
        "model_input_chars": len(text),
        "model_input_tokens_est": tokens_estimate(text),
        "raw_bytes": raw,
    }


def whole_process(root: Path, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent.cli", "investigate", str(root)], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    demo = ROOT / "fixtures" / "demo"
    r = bench_bundle(demo)
    print(
        f"{'bundle':<12} {'context p50':>12} {'context max':>12} {'investigate p50':>16} {'process p50':>12} "
        f"{'model input':>18} {'raw data':>12} {'ratio':>8}"
    )
    print(
        f"{'demo':<12} {r['context_p50_s']:>11.3f}s {r['context_max_s']:>11.3f}s {r['investigate_p50_s']:>15.3f}s "
        f"{whole_process(demo):>11.3f}s {r['model_input_chars']:>8} ch/{r['model_input_tokens_est']:>5} tk "
        f"{r['raw_bytes'] / 1e6:>10.1f}MB {r['raw_bytes'] / r['model_input_chars']:>7.0f}x"
    )


if __name__ == "__main__":
    main()
