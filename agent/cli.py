"""`oncall` command line. Imports stay inside the commands so `oncall --help`
is fast and the offline path never loads a vendor SDK."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_CODES = """exit codes:
  0  brief printed (whatever its confidence)
  1  unexpected internal error
  2  usage error
  3  bundle missing or unreadable (no such folder, invalid catalog.yaml)
  4  alert file missing, empty or not valid JSON
  5  alert not in a known format, or missing a required field"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="oncall",
        description="Incident-response copilot: investigate an alert and "
        "print a brief in which every claim cites tool output.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    inv = sub.add_parser(
        "investigate",
        help="investigate the alert of an incident bundle",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inv.add_argument("bundle", type=Path, help="incident bundle folder (see DESIGN.md)")
    inv.add_argument("--alert", type=Path, help="alert payload to use instead of BUNDLE/alert.json")
    inv.add_argument(
        "--model",
        choices=["offline", "claude"],
        help="default: claude when ANTHROPIC_API_KEY is set, else offline",
    )
    inv.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    inv.add_argument("--show-context", action="store_true", help="print the collected tool results and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from agent.errors import CopilotError

    try:
        return {"investigate": cmd_investigate}[args.command](args)
    except CopilotError as e:
        print(f"oncall: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def cmd_investigate(args: argparse.Namespace) -> int:
    from agent.bundle import Bundle
    from agent.context import collect
    from agent.investigate import Settings, investigate, prepare

    model = args.model or ("claude" if os.environ.get("ANTHROPIC_API_KEY") else "offline")
    if model == "claude":
        print(
            "oncall: error: the Claude loop is not available in this version; use --model offline",
            file=sys.stderr,
        )
        return 2
    from agent.offline import OfflineAnalyst

    settings = Settings()
    bundle = Bundle.open(args.bundle)
    payload = bundle.alert_payload(args.alert)
    if args.show_context:
        alert, runner = prepare(payload, bundle.catalog, bundle.backends(), settings)
        for r in collect(alert, bundle.catalog, runner, settings.max_services).results:
            print(f"=== {r.id} {r.label()}")
            print(r.text if r.ok else f"ERROR: {r.error}")
        return 0
    inv = investigate(
        payload,
        catalog=bundle.catalog,
        backends=bundle.backends(),
        analyst=OfflineAnalyst(),
        settings=settings,
        notes=bundle.notes,
    )
    from agent import brief

    if args.format == "json":
        print(brief.to_json(inv))
    elif args.format == "markdown":
        print(brief.to_markdown(inv), end="")
    else:
        brief.print_text(inv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
