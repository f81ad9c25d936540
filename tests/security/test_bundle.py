"""A bundle is data: no code from it runs, nothing outside it is read, nothing it names is deleted."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.security.conftest import oncall

MARK = "OWNED"


def _hostile_repo(bundle: Path, marker: Path) -> None:
    """repo/ as a git repository whose hooks and fsmonitor would write `marker` if git ran them."""
    repo = bundle / "repo"
    subprocess.run(["git", "init", "-q", "-b", "master", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=x", "-c", "user.email=x@x", "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "init"], check=True
    )
    hook = f"#!/bin/sh\necho {MARK} >> {marker}\n"
    for name in ("pre-commit", "post-checkout", "post-commit", "pre-auto-gc", "reference-transaction"):
        path = repo / ".git" / "hooks" / name
        path.write_text(hook)
        path.chmod(0o755)
    fsmonitor = repo / ".git" / "fsmonitor.sh"
    fsmonitor.write_text(hook)
    fsmonitor.chmod(0o755)
    with (repo / ".git" / "config").open("a") as f:
        f.write(f"[core]\n\tfsmonitor = {fsmonitor}\n\thooksPath = {repo / '.git' / 'hooks'}\n")


def test_open_pr_runs_no_code_from_the_bundle_and_still_opens_the_pr(demo_copy, tmp_path):
    marker = tmp_path / "marker"
    _hostile_repo(demo_copy, marker)  # also: a real repository, HEAD on master, nothing left to commit
    p = oncall(
        "investigate",
        demo_copy,
        "--open-pr",
        "--pr-workdir",
        tmp_path / "w",
        "--format",
        "json",
        "--audit",
        tmp_path / "a.jsonl",
    )
    assert p.returncode == 0, p.stderr
    assert not marker.exists(), "a hook or fsmonitor from the bundle ran"
    pr = json.loads(p.stdout)["pr"]
    assert pr and pr["url"].startswith("file://")


def test_pr_workdir_that_holds_the_users_files_is_never_deleted(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    p = oncall("investigate", "fixtures/demo", "--open-pr", "--pr-workdir", mine, "--audit", tmp_path / "a.jsonl")
    assert p.returncode == 0
    assert (mine / "thesis.txt").read_text() == "years of work" and sorted(os.listdir(mine)) == ["thesis.txt"]
    assert "holds files the copilot did not create" in p.stdout


@pytest.mark.parametrize(
    ("entry", "target", "said"),
    [
        ("runbooks/passwd.md", "/etc/passwd", "outside the bundle"),
        ("repo", "/", "outside the bundle"),
        ("alert.json", "/dev/zero", "outside the bundle"),
        ("logs.jsonl", "/dev/zero", "outside the bundle"),
    ],
)
def test_links_out_of_the_bundle_are_refused(demo_copy, tmp_path, entry, target, said):
    path = demo_copy / entry
    if path.is_dir():
        import shutil

        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.symlink_to(target)
    t0 = time.monotonic()
    p = oncall("investigate", demo_copy, "--audit", tmp_path / "a.jsonl", timeout=30)
    assert p.returncode == 3 and said in p.stderr and entry in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "root:" not in p.stdout and time.monotonic() - t0 < 20


def test_a_fifo_in_the_bundle_is_refused(demo_copy, tmp_path):
    (demo_copy / "alert.json").unlink()
    os.mkfifo(demo_copy / "alert.json")
    p = oncall("investigate", demo_copy, "--audit", tmp_path / "a.jsonl", timeout=30)
    assert p.returncode == 3 and "named pipe" in p.stderr


def test_an_alert_of_megabytes_is_an_error(tmp_path):
    big = tmp_path / "alert.json"
    big.write_text(json.dumps({"version": "4", "alerts": [], "pad": "x" * 3_000_000}))
    p = oncall("investigate", "fixtures/demo", "--alert", big, "--audit", tmp_path / "a.jsonl")
    assert p.returncode == 4 and "limit is 1,048,576" in p.stderr


def test_a_log_line_of_megabytes_is_truncated_not_fatal(demo_copy, tmp_path):
    with (demo_copy / "logs.jsonl").open("a") as f:
        line = {
            "ts": "2026-11-17T03:40:00Z",
            "service": "api-gateway",
            "pod": "p",
            "level": "error",
            "message": "boom " + "A" * 4_000_000,
        }
        f.write(json.dumps(line) + "\n")
    p = oncall("investigate", demo_copy, "--format", "json", "--audit", tmp_path / "a.jsonl")
    assert p.returncode == 0
    doc = json.loads(p.stdout)
    logs = [r for r in doc["investigation"]["sources"] if r["tool"] == "read_logs"]
    assert all(r["ok"] for r in logs) and len(p.stdout) < 1_000_000
    assert doc["root_cause"]["service"] == "api-gateway"


def test_a_yaml_alias_bomb_costs_an_error_not_a_minute(demo_copy, tmp_path):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        bomb.append(f"{'abcdefghij'[i]}: &{'abcdefghij'[i]} [{', '.join(['*' + 'abcdefghij'[i - 1]] * 12)}]")
    (demo_copy / "catalog.yaml").write_text("\n".join(bomb) + "\nservices: {}\n")
    t0 = time.monotonic()
    p = oncall("investigate", demo_copy, "--audit", tmp_path / "a.jsonl", timeout=60)
    assert p.returncode == 3 and "alias" in p.stderr and time.monotonic() - t0 < 10


@pytest.mark.parametrize("libyaml", [True, False])
def test_the_yaml_reader_refuses_an_alias_bomb_with_or_without_libyaml(monkeypatch, libyaml):
    """The C parser counts the aliases before its loader builds anything; without libyaml, the
    pure-Python loader counts them as it composes. Either way the bomb is refused and a document with
    a few aliases is read the same."""
    import yaml

    from oncall.core import yamlsafe

    monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
    bomb = "\n".join(["a: &a [x]", *(f"b{i}: *a" for i in range(yamlsafe.MAX_ALIASES + 1))])
    with pytest.raises(yaml.YAMLError, match="alias"):
        yamlsafe.load(bomb)
    assert yamlsafe.load("a: &a [x, y]\nb: *a\n") == {"a": ["x", "y"], "b": ["x", "y"]}


def test_catalog_errors_are_one_line_per_problem(demo_copy, tmp_path):
    (demo_copy / "catalog.yaml").write_text("services:\n  a:\n    depends_on: 7\n    namespace: [x]\n")
    p = oncall("investigate", demo_copy, "--audit", tmp_path / "a.jsonl")
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 3 and "Traceback" not in p.stderr
    assert any("services.a.depends_on" in x for x in lines) and any("services.a.namespace" in x for x in lines)
    assert all("catalog.yaml" in x for x in lines) and len(lines) == 2


def test_a_change_without_a_time_zone_is_skipped_and_counted(demo_copy, tmp_path):
    with (demo_copy / "changes.jsonl").open("a") as f:
        f.write(json.dumps({"ts": "2026-11-17T03:00:00", "service": "auth", "kind": "deploy", "to": "v9"}) + "\n")
        f.write("not json at all\n")
    p = oncall("investigate", demo_copy, "--format", "json", "--audit", tmp_path / "a.jsonl")
    doc = json.loads(p.stdout)
    (changes,) = [r for r in doc["investigation"]["sources"] if r["tool"] == "read_changes"]
    assert changes["ok"] and "2 records were not valid change events" in changes["text"]
    assert doc["root_cause"]["service"] == "api-gateway" and doc["root_cause"]["confidence"] == "HIGH"


def test_a_field_named_with_sql_in_it_is_read_as_a_name(tmp_path):
    """The reader names a file's own fields in its query (the text field of a shipper it does not know):
    a field whose name holds quotes and SQL is read as the name it is, and nothing in it runs."""
    from datetime import UTC, datetime

    from oncall.tools.read_logs import LogQuery
    from oncall.tools.read_logs.embedded import JsonlLogs

    marker = tmp_path / "written"
    field = f"raw', 'x': 'VARCHAR'}}); COPY (SELECT 1) TO '{marker}'; --"
    lines = [
        {
            "ts": f"2026-11-17T03:{m:02d}:00Z",
            "service": "api",
            "level": "info",
            field: f"GET /items/{m} served in {m} ms",
        }
        for m in range(60)
    ]
    lines.append(
        {"ts": "2026-11-17T03:45:30Z", "service": "api", "level": "error", field: "payment declined: card expired"}
    )
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    q = LogQuery(
        service="api",
        start=datetime(2026, 11, 17, 3, 30, tzinfo=UTC),
        end=datetime(2026, 11, 17, 4, 0, tzinfo=UTC),
        baseline_start=datetime(2026, 11, 17, 3, 0, tzinfo=UTC),
        known=["api"],
    )
    stats = JsonlLogs(path).stats(q)
    (declined,) = [t for t in stats.templates if t.level == "ERROR"]
    assert declined.sample == "payment declined: card expired" and not marker.exists()
