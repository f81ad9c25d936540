"""`oncall eval`: run the investigation on every case (a bundle with truth.yaml)
and measure how often it is right. Wrong cases are results, not errors; only
unreadable cases fail the run, by name."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from oncall.analysts.base import Analyst
from oncall.core.diagnosis import Category
from oncall.core.errors import CopilotError
from oncall.core.investigation import Investigation, Settings
from oncall.estate.bundle import Bundle
from oncall.investigate import investigate


class TruthCause(BaseModel):
    service: str
    category: Category
    also_accept: list[Category] = []


class TruthFix(BaseModel):
    kind: str
    target: str | None = None


class Truth(BaseModel):
    root_cause: TruthCause
    fix: TruthFix | None = None
    notes: str | None = None
    family: str | None = None


@dataclass
class CaseResult:
    case: str
    family: str
    expected: str
    got: str
    confidence: str
    right: bool
    top3: bool
    fix_expected: str | None
    fix_got: str | None
    fix_right: bool | None
    claims_kept: int
    claims_dropped: int
    tool_calls: int
    model_input_chars: int
    seconds: float


def find_cases(dirs: list[Path]) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        if (d / "truth.yaml").exists():
            found.append(d)
        else:
            found += sorted(p.parent for p in d.rglob("truth.yaml"))
    return sorted(dict.fromkeys(found))


def load_truth(case: Path) -> Truth:
    try:
        return Truth.model_validate(yaml.safe_load((case / "truth.yaml").read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as e:
        raise CopilotError(f"truth.yaml: {str(e).splitlines()[0]}") from e


def accepted(truth: Truth) -> set[str]:
    return {truth.root_cause.category, *truth.root_cause.also_accept}


def score(case: Path, truth: Truth, inv: Investigation, seconds: float) -> CaseResult:
    d = inv.diagnosis
    ok_cats = accepted(truth)
    right = d.root_cause.service == truth.root_cause.service and d.root_cause.category in ok_cats
    alts = d.alternatives[:3] or []
    top3 = right or any(a.service == truth.root_cause.service and a.category in ok_cats for a in alts)
    fix_got = d.actions[0].kind if d.actions else None
    fix_exp = truth.fix.kind if truth.fix else None
    return CaseResult(
        case=case.name,
        family=truth.family or case.name,
        right=right,
        top3=top3,
        expected=f"{truth.root_cause.service}/{truth.root_cause.category}",
        got=f"{d.root_cause.service}/{d.root_cause.category}",
        confidence=d.root_cause.confidence,
        fix_expected=fix_exp,
        fix_got=fix_got,
        fix_right=None if fix_exp is None else fix_got == fix_exp,
        claims_kept=inv.grounding.kept,
        claims_dropped=len(inv.grounding.failures),
        tool_calls=len(inv.results),
        model_input_chars=sum(len(r.text or r.error or "") for r in inv.results),
        seconds=seconds,
    )


def run_case(case: Path, analyst: Analyst, settings: Settings) -> CaseResult:
    truth = load_truth(case)
    bundle = Bundle.open(case)
    t0 = time.perf_counter()
    inv = investigate(
        bundle.alert_payload(),
        catalog=bundle.catalog,
        backends=bundle.backends(),
        analyst=analyst,
        settings=settings,
        notes=bundle.notes,
    )
    return score(case, truth, inv, time.perf_counter() - t0)


def totals(results: list[CaseResult]) -> dict[str, Any]:
    n = len(results) or 1
    fixes = [r for r in results if r.fix_right is not None]
    checked = sum(r.claims_kept + r.claims_dropped for r in results)
    families: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        families[r.family].append(r)
    return {
        "cases": len(results),
        "top1": sum(r.right for r in results) / n,
        "top3": sum(r.top3 for r in results) / n,
        "wrong_high_rate": sum(1 for r in results if not r.right and r.confidence == "HIGH") / n,
        "fix_kind_accuracy": sum(bool(r.fix_right) for r in fixes) / (len(fixes) or 1),
        "grounded_rate": sum(r.claims_kept for r in results) / checked if checked else 1.0,
        "per_family": {
            f: {
                "cases": len(rs),
                "top1": sum(r.right for r in rs) / len(rs),
                "top3": sum(r.top3 for r in rs) / len(rs),
                "wrong_high": sum(1 for r in rs if not r.right and r.confidence == "HIGH"),
            }
            for f, rs in sorted(families.items())
        },
        "calibration": calibration(results),
        "mean_seconds": sum(r.seconds for r in results) / n,
        "max_model_input_chars": max((r.model_input_chars for r in results), default=0),
    }


def calibration(results: list[CaseResult]) -> dict[str, dict[str, float]]:
    """Per confidence level: how many cases said it, and how often they were right. HIGH must be
    right nearly always; LOW may be wrong, and says so."""
    out = {}
    for level in ("HIGH", "MEDIUM", "LOW"):
        said = [r for r in results if r.confidence == level]
        out[level] = {"cases": len(said), "right": sum(r.right for r in said) / len(said) if said else 0.0}
    return out


def evaluate(
    cases: list[Path],
    analyst: Callable[[Path], Analyst],
    settings: Settings,
    progress: Callable[[Path], None] | None = None,
) -> tuple[list[CaseResult], list[tuple[str, str]]]:
    """Run every case; `analyst` makes each case its analyst, so each case gets its own recording."""
    results, unreadable = [], []
    for case in cases:
        try:
            results.append(run_case(case, analyst(case), settings))
        except CopilotError as e:
            unreadable.append((str(case), str(e)))
        if progress:
            progress(case)
    return results, unreadable


def report_json(results: list[CaseResult], unreadable: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "cases": [asdict(r) for r in results],
        **{k: v for k, v in totals(results).items() if k != "cases"},
        "unreadable": [{"case": c, "error": e} for c, e in unreadable],
    }


def print_table(results: list[CaseResult], unreadable: list[tuple[str, str]], console) -> None:
    from rich.table import Table

    t = Table(title="oncall eval", show_lines=False)
    for col in ("case", "expected", "got", "conf", "right", "claims kept/dropped", "tools", "input chars", "s"):
        t.add_column(col, overflow="fold")
    for r in results:
        t.add_row(
            r.case,
            r.expected,
            r.got,
            r.confidence,
            "yes" if r.right else "[red]no[/red]",
            f"{r.claims_kept}/{r.claims_dropped}",
            str(r.tool_calls),
            str(r.model_input_chars),
            f"{r.seconds:.2f}",
        )
    console.print(t)
    tot = totals(results)
    fam = Table(title="per family")
    for col in ("family", "cases", "top-1", "top-3", "wrong HIGH"):
        fam.add_column(col)
    for f, v in tot["per_family"].items():
        fam.add_row(f, str(v["cases"]), f"{v['top1']:.2f}", f"{v['top3']:.2f}", str(v["wrong_high"]))
    console.print(fam)
    cal = Table(title="calibration: when it says ..., how often it is right")
    for col in ("confidence", "cases", "right"):
        cal.add_column(col)
    for level, v in tot["calibration"].items():
        cal.add_row(level, str(v["cases"]), f"{v['right']:.2f}" if v["cases"] else "-")
    console.print(cal)
    console.print(
        f"cases {tot['cases']}  top-1 {tot['top1']:.3f}  top-3 {tot['top3']:.3f}  "
        f"wrong-but-HIGH {tot['wrong_high_rate']:.3f}  fix-kind {tot['fix_kind_accuracy']:.3f}  "
        f"grounded {tot['grounded_rate']:.3f}  mean {tot['mean_seconds']:.2f}s"
    )
    for case, err in unreadable:
        console.print(f"[red]unreadable case {case}: {err}[/red]")
