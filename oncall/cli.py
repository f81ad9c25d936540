"""`oncall` command line. Imports stay inside the commands so `oncall --help`
is fast and the offline path never loads a vendor SDK."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.cli_args import build_parser

if TYPE_CHECKING:
    from oncall.analysts.base import Analyst
    from oncall.delivery.slack import SlackSettings
    from oncall.estate.env import Environment


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from oncall.core.errors import CopilotError
    from oncall.estate.env import Environment

    commands = {
        "investigate": cmd_investigate,
        "ask": cmd_investigate,  # a question instead of an alert: the same investigation and brief
        "mcp": cmd_mcp,
        "eval": cmd_eval,
        "scenarios": cmd_scenarios,
        "serve": cmd_serve,
        "audit": cmd_audit,
        "accuracy": cmd_accuracy,
        "check-config": cmd_check_config,
    }
    try:
        return commands[args.command](args, Environment.read())  # the environment, read once, here
    except CopilotError as e:
        if args.debug:
            raise
        print(f"oncall: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `oncall ... | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if args.debug:
            raise
        print(
            f"oncall: internal error: {type(e).__name__}: {str(e)[:300]} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


def pick_analyst(args: argparse.Namespace, env: Environment, case: str | None = None) -> Analyst:
    """The analyst --model, --replay and --record ask for; with `case`, recordings go to DIR/CASE."""
    from oncall.analysts import make_analyst

    def under(folder: Path | None) -> Path | None:
        return folder / case if folder and case else folder

    return make_analyst(
        args.model, env=env, replay=under(getattr(args, "replay", None)), record=under(getattr(args, "record", None))
    )


def cmd_eval(args: argparse.Namespace, env: Environment) -> int:
    import json

    from rich.console import Console
    from rich.progress import Progress

    from oncall.core.investigation import Settings
    from oncall.eval.evaluate import evaluate, find_cases, print_table, report_json

    pick_analyst(args, env)  # fail early on a bad --model
    missing = [d for d in args.dirs if not d.is_dir()]
    if missing:
        print(f"oncall: error: not a directory: {', '.join(map(str, missing))}", file=sys.stderr)
        return 3
    cases = find_cases(args.dirs)
    if not cases:
        print(
            "oncall: error: no case (a folder with truth.yaml) under " + ", ".join(map(str, args.dirs)), file=sys.stderr
        )
        return 3
    err = Console(stderr=True)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(cases))
        results, unreadable = evaluate(
            cases, lambda case: pick_analyst(args, env, case.name), Settings(), lambda _: bar.advance(task)
        )
    if args.format == "json":
        print(json.dumps(report_json(results, unreadable), indent=2))
    else:
        out = Console()
        print_table(results, unreadable, out if out.is_terminal else Console(width=160))
    for case, error in unreadable:
        print(f"oncall: error: unreadable case {case}: {error}", file=sys.stderr)
    return 3 if unreadable else 0


def cmd_scenarios(args: argparse.Namespace, env: Environment) -> int:
    if args.world >= 2:  # argparse's choices have checked that the world's package is there
        from importlib import import_module

        generate_world = import_module(f"oncall.eval.world{args.world}").generate
        cases = generate_world(args.out, args.seed, args.per_family // 4 or 1)
    else:
        from oncall.eval.scenarios.world import generate

        cases = generate(args.out, args.seed, args.per_family, args.log_scale)
    print(f"wrote {len(cases)} cases to {args.out}")
    return 0


def cmd_serve(args: argparse.Namespace, env: Environment) -> int:
    import logging

    import uvicorn

    from oncall.delivery.slack import SlackSettings
    from oncall.estate.estate import open_estate
    from oncall.serving.webhook import WorkerSpec, build_service, create_app

    config = config_path(args, env)
    open_estate(args.bundle, config, env.secrets)  # a bad bundle or configuration fails here, not in the workers
    spec = WorkerSpec(
        bundle=args.bundle.resolve() if args.bundle else None,
        config=config.resolve() if config else None,
        state=env.state_dir(args.state).resolve(),
        model=args.model,
        log_format=args.log_format,
        settle_s=args.settle,
    )
    service = build_service(spec, env, workers=args.workers)
    slack = SlackSettings.from_env(env)
    if slack and slack.signing_secret:
        from oncall.delivery.feedback import FeedbackStore
        from oncall.serving.slack_app import build_app

        service.slack_app = build_app(
            service, slack, FeedbackStore(spec.state), service.moment, service.investigate_now
        )
        service.slack_secret = slack.signing_secret
        check_slack_later(slack)
    pick_analyst(args, env)  # fail early on a bad --model
    from oncall.serving.logs import configure

    configure(args.log_format)
    if not service.webhook_token:
        logging.getLogger("oncall.serve").warning("ONCALL_WEBHOOK_TOKEN is not set: /alertmanager answers 503")
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning")
    return 0


def check_slack_later(slack: SlackSettings) -> None:
    """Slack's API may be down when `serve` starts: the server comes up regardless, and this says in
    the log, retrying with backoff, whether the bot token works."""
    import logging
    import threading

    from oncall.delivery.slack import web_client

    log = logging.getLogger("oncall.serve")

    def check() -> None:
        for attempt in range(6):
            try:
                who = web_client(slack.bot_token, slack.api_url).auth_test()
                log.info("Slack: connected as %s to team %s", who.get("user"), who.get("team"))
                return
            except Exception as e:  # unreachable, or the token refused: say so, try again
                log.warning("Slack: %s (attempt %d of 6)", f"{type(e).__name__}: {e}"[:200], attempt + 1)
                time.sleep(min(60, 2**attempt))
        log.error("Slack: gave up checking the bot token; replies to Slack will fail until it works")

    threading.Thread(target=check, name="slack-check", daemon=True).start()


def cmd_accuracy(args: argparse.Namespace, env: Environment) -> int:
    from oncall.delivery.feedback import FeedbackStore

    store = FeedbackStore(env.state_dir(args.state))
    table = store.accuracy()
    if not table["week"]:
        print("no feedback recorded yet")
        return 0
    for dim, rows in table.items():
        print(f"by {dim}:")
        for key, (right, total) in sorted(rows.items()):
            print(f"  {key:<28} {right:>4} of {total:<4} right  {right / total:.0%}")
    return 0


def cmd_audit(args: argparse.Namespace, env: Environment) -> int:
    import json

    from oncall.delivery.audit import AuditLog

    state = env.state_dir(args.state)
    log = AuditLog(args.log or state / "audit.jsonl")
    if args.action == "list":
        for r in log.recent(args.n):
            rc = (r.get("diagnosis") or {}).get("root_cause") or {}
            what = f"{rc.get('service')}/{rc.get('category')} {rc.get('confidence')}" if rc else r.get("reason", "")
            print(f"{r.get('at', '?'):<28} {r.get('kind', '?'):<13} {r.get('id', '?'):<40} {what}")
        return 0
    records = log.find(args.id)
    accounted = []
    if env.queue_url or (state / "queue.sqlite").exists():  # where each accepted alert went
        from oncall.serving.queue import open_queue

        q = open_queue(state, env.queue_url, recover=False)
        accounted = q.whereabouts(args.id)
        q.close()
    if not records and not accounted:
        print(f"oncall: error: no audit record or queued alert with id {args.id}", file=sys.stderr)
        return 3
    for r in records:
        print(json.dumps(r, indent=2))
    if accounted:
        print(json.dumps({"kind": "queue", "alerts": accounted}, indent=2))
    return 0


def default_pr_workdir(bundle: Path, env: Environment) -> Path:
    import hashlib

    cache = env.cache_home
    key = hashlib.sha256(str(bundle.resolve()).encode()).hexdigest()[:10]
    return cache / "oncall-copilot" / "forks" / f"{bundle.resolve().name}-{key}"


def config_path(args: argparse.Namespace, env: Environment) -> Path | None:
    given: Path | None = getattr(args, "config", None)
    return given or env.config


def cmd_check_config(args: argparse.Namespace, env: Environment) -> int:
    from oncall.core.errors import ConfigError
    from oncall.estate.bundle import Bundle
    from oncall.estate.config import Config, check

    path = config_path(args, env)
    if path is None:
        raise ConfigError("no configuration: give --config FILE or set ONCALL_CONFIG")
    config = Config.load(path)
    catalog = config.load_catalog(Bundle.open(args.bundle).catalog if args.bundle else None)
    results = check(config, env.secrets, catalog)
    if not results:
        print(f"{path} configures no backend: every tool uses the bundle's embedded one")
    for section, kind, works, said in results:
        print(f"{'ok  ' if works else 'FAIL'} {section:<14} {kind:<11} {said}")
    return 0 if all(works for _, _, works, _ in results) else ConfigError.exit_code


def counted(env: Environment, system: str, specs: list[dict], turn: str) -> str:
    """The whole first request as the API counts it (count_tokens) when a key is set; else the estimate."""
    size = len(system) + len(str(specs)) + len(turn)
    estimate = f"first request in all: about {size // 4:,} tokens"
    if not env.anthropic_api_key:
        return estimate + " (estimated: no ANTHROPIC_API_KEY to count with)"
    from oncall.analysts.claude.loop import ClaudeSettings
    from oncall.analysts.claude.transport import LiveTransport

    messages = [{"role": "user", "content": turn}]
    request = {"model": ClaudeSettings().first.id, "system": system, "tools": specs, "messages": messages}
    try:
        n = LiveTransport(max_retries=1).count_tokens(request)
        return f"first request in all: {n:,} tokens (counted by the API)"
    except Exception as e:  # the count is a convenience: never fail the command over it
        return estimate + f" (estimated: count_tokens failed: {type(e).__name__})"


def tokens(text: str) -> str:
    """An estimate, with no key and no network: about four characters a token for English and JSON."""
    return f"about {len(text) // 4:,} tokens, {len(text):,} characters"


def cmd_mcp(args: argparse.Namespace, env: Environment) -> int:
    from oncall.core.errors import UsageError
    from oncall.estate.estate import open_estate
    from oncall.serving import mcp_server

    if args.http and not env.mcp_token:
        raise UsageError("oncall mcp --http needs ONCALL_MCP_TOKEN: the bearer token clients must send")
    estate = open_estate(args.bundle, config_path(args, env), env.secrets, cache=env.cache_dir())
    server = mcp_server.build(estate.catalog, estate.backends, estate.moment())
    if args.http:
        assert env.mcp_token is not None
        mcp_server.serve_http(server, args.host, args.port, env.mcp_token)
    else:
        mcp_server.serve_stdio(server)
    return 0


def cmd_investigate(args: argparse.Namespace, env: Environment) -> int:
    from oncall.context import collect
    from oncall.core.investigation import Settings
    from oncall.delivery import brief
    from oncall.delivery.picture import pr_picture
    from oncall.estate.estate import open_estate
    from oncall.investigate import investigate, prepare

    analyst = pick_analyst(args, env)
    settings = Settings()
    estate = open_estate(args.bundle, config_path(args, env), env.secrets, cache=env.cache_dir())
    question = getattr(args, "question", None)
    now = estate.moment()
    if question:  # `oncall ask`: the question is the request, at the moment it names
        from oncall.intake.text import when

        payload: Any = " ".join(question)
        now = now or datetime.now(UTC)  # asked now; the window reaches back to the time it names
        since = when(payload, now)
        if since is not None and since < now:
            minutes = int((now - since).total_seconds() // 60) + 5
            settings = replace(settings, window_before_min=max(settings.window_before_min, minutes))
    else:
        payload = estate.alert_payload(args.alert)
    if args.show_context:
        import json

        from oncall.analysts.claude.loop import tool_specs
        from oncall.analysts.claude.prompt import first_turn
        from oncall.prompts import load

        alert, runner = prepare(payload, estate.catalog, estate.backends, settings, estate.moment())
        ctx = collect(alert, estate.catalog, runner, settings.max_services)
        system = load("system.md")
        specs = tool_specs([t for n, t in runner.tools.items() if n != "open_pr"])
        tools = json.dumps(specs, indent=1)
        turn = first_turn(alert, estate.catalog, ctx.services, ctx.results)
        print(f"=== system prompt ({tokens(system)})\n" + system)
        names = ", ".join([*(n for n in runner.tools if n != "open_pr"), "submit_diagnosis"])
        print(f"\n=== tools: {names} ({tokens(tools)})\n" + tools)
        print(f"\n=== first user turn ({tokens(turn)})\n" + turn)
        print("\n=== " + counted(env, system, specs, turn))
        return 0
    backends = estate.backends
    if args.open_pr:
        where = args.bundle or Path("no-bundle")
        backends.pull_requests = estate.pull_requests(args.pr_workdir or default_pr_workdir(where, env))
    inv = investigate(
        payload,
        catalog=estate.catalog,
        backends=backends,
        analyst=analyst,
        settings=settings,
        notes=estate.notes,
        pr_body=brief.pr_body,
        pr_picture=pr_picture,
        now=now,
    )
    from oncall.delivery.audit import AuditLog

    AuditLog(args.audit or env.state_dir() / "audit.jsonl").investigation(
        inv, deliveries=[{"to": "stdout", "format": args.format}]
    )
    if args.format == "json":
        print(brief.to_json(inv))
    elif args.format == "slack":
        import json

        from oncall.delivery.blocks import brief_blocks, evidence_blocks, fallback_text

        print(
            json.dumps(
                {"text": fallback_text(inv), "blocks": brief_blocks(inv), "thread": {"blocks": evidence_blocks(inv)}},
                indent=2,
            )
        )
    elif args.format == "markdown":
        print(brief.to_markdown(inv), end="")
    else:
        brief.print_text(inv)
    if args.picture is not None:
        return _write_picture(inv, args.picture)
    return 0


def _write_picture(inv: Any, path: Path) -> int:
    """The key signal's PNG at `path`; a clear line on stderr (exit 2) when there is nothing to draw."""
    from oncall.delivery.picture import key_signal, png

    k = key_signal(inv)
    image = png(k) if k else None
    if k is None:
        print("oncall: no picture: the root cause cites no metric to draw", file=sys.stderr)
        return 2
    if image is None:
        print(
            "oncall: no picture: matplotlib is not installed (pip install 'oncall-copilot[picture]')", file=sys.stderr
        )
        return 2
    path.write_bytes(image)
    return 0


def entry() -> None:
    """The `oncall` command: main, then, when no thread is left that the exit should wait for, an exit
    that skips the interpreter's teardown. What a command writes is written and closed before it
    returns; freeing DuckDB's tables and every module only kept the shell waiting (a tenth of a second
    after ten million log lines). A server's own threads (not daemons) are still waited for."""
    import threading

    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader left (`| head`): nothing more can be said to it
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
