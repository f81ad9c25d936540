"""The `oncall` command line's arguments and documented exit codes (what `--help` prints)."""

from __future__ import annotations

import argparse
from pathlib import Path

from oncall.eval import highest_world

EXIT_CODES = """exit codes:
  0  brief printed (whatever its confidence)
  1  unexpected internal error
  2  usage error
  3  bundle missing or unreadable (no such folder, invalid catalog.yaml)
  4  alert file missing, empty or not valid JSON
  5  alert not in a known format, or missing a required field
  6  configuration file invalid, a secret it names unset, or (check-config) a backend not working"""


def seconds(text: str) -> float:
    """A duration in seconds, zero or more (argparse answers anything else with a one-line usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} seconds: must be 0 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="oncall",
        description="Incident-response copilot: investigate an alert and "
        "print a brief in which every claim cites tool output.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--debug", action="store_true", help="show the traceback of an error instead of one line")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    inv = sub.add_parser(
        "investigate",
        help="investigate the alert of an incident bundle",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inv.add_argument("bundle", type=Path, nargs="?", help="incident bundle folder (see DESIGN.md)")
    inv.add_argument(
        "--alert", type=Path, help="alert payload to use instead of BUNDLE/alert.json ('-' reads standard input)"
    )
    inv.add_argument("--config", type=Path, help="backends configuration (default: $ONCALL_CONFIG); see README")
    inv.add_argument(
        "--model",
        choices=["offline", "claude"],
        help="default: claude when ANTHROPIC_API_KEY is set, else offline",
    )
    inv.add_argument(
        "--format",
        choices=["text", "markdown", "json", "slack"],
        default="text",
        help="slack: the Block Kit message and its thread reply, as JSON",
    )
    inv.add_argument("--show-context", action="store_true", help="print exactly what the model is sent, and exit")
    inv.add_argument(
        "--picture",
        type=Path,
        metavar="FILE",
        help="also write the root service's key signal as a PNG (needs the `picture` extra)",
    )
    inv.add_argument("--open-pr", action="store_true", help="open a draft PR with the fix on a fork, when there is one")
    inv.add_argument(
        "--pr-workdir",
        type=Path,
        metavar="DIR",
        help="where the embedded upstream and fork live (default: a cache folder, never the bundle)",
    )
    inv.add_argument("--audit", type=Path, metavar="FILE", help="audit log to append to (default: STATE/audit.jsonl)")
    inv.add_argument("--record", type=Path, metavar="DIR", help="write every model request and response to DIR")
    inv.add_argument("--replay", type=Path, metavar="DIR", help="answer model requests from a recording, offline")
    ask = sub.add_parser(
        "ask",
        help="investigate a question: oncall ask 'why is checkout slow since 14:00?'",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument("question", nargs="+", help="the service and the time are read from it (times in UTC)")
    ask.add_argument("--bundle", type=Path, help="incident bundle whose estate to ask about")
    ask.add_argument("--config", type=Path, help="backends configuration (default: $ONCALL_CONFIG)")
    ask.add_argument("--model", choices=["offline", "claude"])
    ask.add_argument("--format", choices=["text", "markdown", "json", "slack"], default="text")
    ask.add_argument("--audit", type=Path, metavar="FILE", help="audit log to append to (default: STATE/audit.jsonl)")
    # the rest of `investigate`'s options, as a question has them: no payload file, no PR, no recording
    ask.set_defaults(
        alert=None, show_context=False, open_pr=False, pr_workdir=None, record=None, replay=None, picture=None
    )
    mcp = sub.add_parser(
        "mcp",
        help="the read tools over MCP, for your own assistant (stdio, or --http with a bearer token)",
        description="Serves read_logs, read_metrics, read_changes, query_history and read_runbook with the "
        "copilot's schemas, redaction and size caps; never open_pr. --http needs ONCALL_MCP_TOKEN.",
    )
    mcp.add_argument("--bundle", type=Path, help="incident bundle whose embedded backends to serve")
    mcp.add_argument("--config", type=Path, help="backends configuration (default: $ONCALL_CONFIG)")
    mcp.add_argument("--http", action="store_true", help="streamable HTTP on --host:--port/mcp instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=8765)
    ev = sub.add_parser("eval", help="measure diagnosis accuracy on cases (bundles with truth.yaml)")
    ev.add_argument("dirs", type=Path, nargs="+", metavar="DIR", help="a case, or a folder of cases")
    ev.add_argument("--model", choices=["offline", "claude"])
    ev.add_argument("--record", type=Path, metavar="DIR", help="write every model request and response to DIR/CASE")
    ev.add_argument("--replay", type=Path, metavar="DIR", help="replay recordings from DIR/CASE")
    ev.add_argument("--format", choices=["table", "json"], default="table")
    sv = sub.add_parser("serve", help="serve the Alertmanager webhook (and health check)")
    sv.add_argument("--bundle", type=Path, help="incident bundle whose embedded backends and catalog to use")
    sv.add_argument("--config", type=Path, help="backends configuration (default: $ONCALL_CONFIG)")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8080)
    sv.add_argument("--workers", type=int, default=2, help="investigations run at once (default 2)")
    sv.add_argument(
        "--settle",
        type=seconds,
        default=1.0,
        metavar="SECONDS",
        help="investigate a group once no member arrived for this long (default 1; at most 30 s after it opened)",
    )
    sv.add_argument(
        "--log-format", choices=["text", "json"], default="text", help="log lines as text or one JSON object each"
    )
    sv.add_argument("--state", type=Path, help="folder for the alert queue and the audit log")
    sv.add_argument("--model", choices=["offline", "claude"])
    cc = sub.add_parser("check-config", help="connect to each configured backend and say what works")
    cc.add_argument("--config", type=Path, help="backends configuration (default: $ONCALL_CONFIG)")
    cc.add_argument("--bundle", type=Path, help="bundle whose catalog to use when the configuration names none")
    acc = sub.add_parser("accuracy", help="diagnosis accuracy against what engineers confirmed in Slack")
    acc.add_argument("--state", type=Path, help="state folder (default: ~/.local/state/oncall-copilot)")
    au = sub.add_parser("audit", help="read the audit log")
    aus = au.add_subparsers(dest="action", required=True)
    show = aus.add_parser(
        "show", help="the records of an investigation id, a job id (as the webhook's 202 names it) or a fingerprint"
    )
    show.add_argument("id")
    show.add_argument("--log", type=Path, help="audit log file (default: STATE/audit.jsonl)")
    show.add_argument(
        "--state", type=Path, help="state folder of `oncall serve` (default: ~/.local/state/oncall-copilot)"
    )
    lst = aus.add_parser("list", help="the latest records, one line each")
    lst.add_argument("-n", type=int, default=20, help="how many (default 20)")
    lst.add_argument("--log", type=Path, help="audit log file (default: STATE/audit.jsonl)")
    lst.add_argument(
        "--state", type=Path, help="state folder of `oncall serve` (default: ~/.local/state/oncall-copilot)"
    )
    sc = sub.add_parser("scenarios", help="generate incident scenarios")
    scs = sc.add_subparsers(dest="action", required=True)
    gen = scs.add_parser("generate", help="write generated incident bundles (deterministic per seed)")
    gen.add_argument("out", type=Path)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--per-family", type=int, default=4, help="cases per fault family (default 4)")
    gen.add_argument("--log-scale", type=float, default=1.0, help="multiply background log volume")
    top = highest_world()  # (one listing of the worlds' folder)
    gen.add_argument(
        "--world",
        type=int,
        choices=range(1, top + 1),
        metavar="N",
        default=1,
        help=f"1: the first generator (committed in fixtures/scenarios); 2-{top}: written apart from it and each other",
    )
    return p


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oncall-copilot")
    except PackageNotFoundError:
        return "unknown (not installed)"
