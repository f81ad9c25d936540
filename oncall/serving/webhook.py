"""`oncall serve`: the Alertmanager webhook, answered at once, investigated behind it.

POST /alertmanager checks the bearer token, parses the batch, stores each firing
alert in the durable queue and answers 202. A bounded pool of workers takes jobs
(one per alert group) and investigates; every investigation and every rejected
payload goes to the audit log. Starlette serves it (uvicorn in production)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from oncall.analysts.base import Analyst
from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.errors import CopilotError
from oncall.core.investigation import Investigation, Settings
from oncall.core.redact import load_rules
from oncall.delivery.audit import AuditLog
from oncall.delivery.brief import pr_body
from oncall.delivery.picture import pr_picture
from oncall.delivery.slack import SlackChannel, SlackSettings
from oncall.estate.env import Environment
from oncall.intake import alerts
from oncall.investigate import investigate
from oncall.serving.queue import LEASE_S, SETTLE_S, AlertQueue, GroupCommit, Job, open_queue
from oncall.tools.backends import Backends

log = logging.getLogger("oncall.serve")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs to build its own service (picklable: paths and settings only;
    secrets it reads from its own environment, as the entry point of its process)."""

    bundle: Path | None
    state: Path
    config: Path | None = None
    model: str | None = None
    log_format: str = "text"  # text | json, as `serve --log-format` asked
    settle_s: float = SETTLE_S  # a group is investigated once quiet this long (`serve --settle`)


def build_service(
    spec: WorkerSpec,
    env: Environment,
    *,
    workers: int = 0,
    recover: bool = True,
) -> Service:
    """The service on the estate of a bundle and/or configuration, with its queue and audit log in `state`.
    `env` holds the secrets the configuration names, the webhook token and Slack's settings."""
    from oncall.analysts import make_analyst
    from oncall.estate.estate import open_estate

    estate = open_estate(spec.bundle, spec.config, env.secrets, cache=env.cache_dir())
    slack = SlackSettings.from_env(env)
    return Service(
        catalog=estate.catalog,
        backends=estate.backends,
        analyst=lambda: make_analyst(spec.model, env=env),
        queue=open_queue(spec.state, env.queue_url, recover=recover),
        audit=AuditLog(spec.state / "audit.jsonl"),
        webhook_token=env.webhook_token,
        workers=workers,
        spec=spec,
        settle_s=spec.settle_s,
        slack=SlackChannel.connect(slack) if slack and slack.channel else None,
        moment=estate.moment(),
        estate=estate,
    )


def worker_main(spec: WorkerSpec) -> None:
    """A worker process: its own backends and queue connection, so investigations (CPU-bound
    Python) never hold the lock the web server needs to answer at once."""
    # Ctrl-C reaches the whole process group: the server coordinates the stop, not each worker (no
    # traceback per worker). SIGTERM (systemd's stop) ends a worker at once: a job it leaves half done
    # keeps its lease, which runs out, and the job is taken again once.
    from oncall.serving.logs import configure

    configure(spec.log_format)  # a spawned process starts with no logging of its own
    os.nice(10)  # investigations yield the CPU to the server process: a webhook must answer at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parent = os.getppid()
    service = build_service(spec, Environment.read(), recover=False)  # a process of its own: its entry point
    service.work(threading.Event(), parent)  # runs until SIGTERM (the server's stop) or the server is gone


@dataclass
class Service:
    """Everything the server needs, built once by the entry point."""

    catalog: Catalog
    backends: Backends  # shared: the embedded backends load once and are safe across threads
    analyst: Callable[[], Analyst]
    queue: AlertQueue
    audit: AuditLog
    webhook_token: str | None
    settings: Settings = field(default_factory=Settings)
    max_body: int = 1024 * 1024  # bytes a webhook body may have (413 above it)
    slack: SlackChannel | None = None  # alert-triggered briefs go to its channel
    workers: int = 2
    spec: WorkerSpec | None = None  # set: workers are processes built from it; unset: threads in this process
    settle_s: float = SETTLE_S  # see queue.SETTLE_S
    moment: Any = None  # the bundle's moment: when a request without a time is investigated
    estate: Any = None  # oncall.estate.estate.Estate: where open_pr's backend comes from
    slack_app: Any = None  # the Bolt app behind /slack/events, when Slack is configured
    slack_secret: str | None = None  # its signing secret, for the replay guard in front of it
    _stop: Any = None
    _workers: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.commits = GroupCommit(self.queue)

    # -- workers ------------------------------------------------------------------------------
    def start(self) -> None:
        load_rules()
        if self.spec is not None:
            ctx = multiprocessing.get_context("spawn")
            # no shared Event: a worker ended by a signal while waiting on one leaves it locked for everyone
            self._workers = [
                ctx.Process(target=worker_main, args=(self.spec,), name=f"investigator-{i}", daemon=True)
                for i in range(self.workers)
            ]
        else:
            self._stop = threading.Event()
            self._workers = [
                threading.Thread(target=self.work, args=(self._stop,), name=f"investigator-{i}", daemon=True)
                for i in range(self.workers)
            ]
        # Ctrl-C reaches the whole group, and a worker still importing would print a traceback for it: each
        # is born ignoring SIGINT (an ignored signal stays ignored across exec, and Python then installs no
        # handler of its own; a blocked mask is not kept by the spawn). Here it is held meanwhile, then reaches us
        held = (
            self.spec is not None
            and hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
        )
        previous: Any = None
        if held:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for w in self._workers:
                w.start()
        finally:
            if held:
                signal.signal(signal.SIGINT, previous)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def stop(self, timeout: float = 5) -> None:
        """Stop the workers: threads after their current job (up to `timeout`); processes at once, by
        SIGTERM (a job one leaves half done keeps its lease, which runs out, and is taken again once)."""
        if self._stop is not None:
            self._stop.set()
        deadline = time.monotonic() + timeout
        for w in self._workers:
            if isinstance(w, multiprocessing.process.BaseProcess):
                w.terminate()
                w.join(max(0.5, deadline - time.monotonic()))
            else:
                w.join(max(0.0, deadline - time.monotonic()))

    def work(self, stop: Any, parent: int | None = None) -> None:
        """Take jobs until told to stop; a worker process also stops when its server is gone (a
        `kill -9` of `serve` leaves no worker behind to investigate a job twice)."""
        while not stop.is_set():
            if parent is not None and os.getppid() != parent:
                return
            job = self.queue.claim(settle_s=self.settle_s)
            if job is None:
                stop.wait(0.2)
                continue
            self.run_job(job)

    def run_job(self, job: Job) -> None:
        done = threading.Event()

        def beat() -> None:  # the lease says "still working on it" while the investigation runs
            while not done.wait(LEASE_S / 3):
                if not self.queue.heartbeat(job.id, job.owner):
                    return

        threading.Thread(target=beat, name=f"lease-{job.id}", daemon=True).start()
        try:
            self._investigate_job(job)
        finally:
            done.set()

    def _investigate_job(self, job: Job) -> None:
        lead = job.alerts[0]
        log.info(json.dumps({"event": "job_started", "job": job.id, "alerts": len(job.alerts)}))
        try:
            inv = investigate(
                lead, catalog=self.catalog, backends=self.backends, analyst=self.analyst(), settings=self.settings
            )
        except Exception as e:  # recorded, never lost silently
            log.exception("investigation of %s failed", job.id)
            self.audit.write(
                {
                    "kind": "failed",
                    "id": job.id,
                    "error": f"{type(e).__name__}: {e}",
                    "alerts": [a.model_dump(mode="json") for a in job.alerts],
                }
            )
            self.queue.finish(job.id, None, f"{type(e).__name__}: {e}", owner=job.owner)
            return
        if len(job.alerts) > 1:
            inv.notes.append(
                f"one investigation for {len(job.alerts)} alerts of one group: "
                + ", ".join(f"{a.alertname} on {a.service or '?'}" for a in job.alerts)
            )
        deliveries: list[dict[str, Any]] = []
        errors: list[str] = []
        if self.slack is not None:
            try:
                deliveries = [self.slack.deliver(inv)]
            except Exception as e:
                errors.append(f"delivery failed: {type(e).__name__}: {e}")
        self.audit.investigation(inv, alerts=job.alerts, deliveries=deliveries, errors=errors, job=job.id)
        finished = self.queue.finish(job.id, inv.id, owner=job.owner)
        log.info(json.dumps({"event": "job_done", "job": job.id, "investigation": inv.id, "recorded": finished}))

    def investigate_now(self, alert: Alert, on_stage: Any = None, open_pr: bool = False) -> Investigation:
        """An investigation someone asked for (Slack): run here and now, not queued."""
        backends = self.backends
        if open_pr and self.estate is not None:
            state = self.spec.state if self.spec else self.audit.path.parent
            backends = replace(self.backends, pull_requests=self.estate.pull_requests(state / "forks"))
        return investigate(
            alert,
            catalog=self.catalog,
            backends=backends,
            analyst=self.analyst(),
            settings=self.settings,
            on_stage=on_stage,
            pr_body=pr_body,
            pr_picture=pr_picture,
        )

    # -- HTTP ---------------------------------------------------------------------------------
    def authorise(self, headers: Mapping[str, str]) -> tuple[int, dict[str, Any]] | None:
        """None when the caller holds the bearer token; otherwise the answer. Checked before the body
        is read, so an unauthenticated caller costs nothing."""
        if not self.webhook_token:
            return 503, {"error": "ONCALL_WEBHOOK_TOKEN is not set on the server"}
        given = headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.webhook_token}".encode()):
            return 401, {"error": "missing or wrong bearer token"}
        return None

    async def accept(self, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """Parsed on the event loop (no hop to a thread per request); answered once the firing alerts
        are committed by the queue's one writer."""
        admitted = self.admit(headers, body)
        if isinstance(admitted, tuple):
            return admitted
        firing = [a for a in admitted if a.status == "firing"]
        result = await asyncio.wrap_future(self.commits.submit(firing))
        resolved = [a for a in admitted if a.status == "resolved"]
        for a in resolved:  # the loop closes on record; nothing new is investigated
            self.audit.write({"kind": "resolved", "id": a.fingerprint, "alert": a.model_dump(mode="json")})
        log.info(
            json.dumps(
                {
                    "event": "accepted",
                    "jobs": result.jobs,
                    "accepted": result.accepted,
                    "attached": result.attached,
                    "duplicates": result.duplicates,
                }
            )
        )
        return 202, {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "attached": result.attached,
            "resolved": len(resolved),
            "jobs": result.jobs,
        }

    def admit(self, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]] | list[Alert]:
        """The alerts of an authorised, well-formed webhook body; otherwise the answer (recorded)."""
        refused = self.authorise(headers)
        if refused is not None:
            return refused
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            return self.reject(f"body is not JSON: {e}", body)
        if not isinstance(payload, dict) or "alerts" not in payload:
            return self.reject("not an Alertmanager webhook: no 'alerts' list", body)
        try:
            return alerts(payload, self.catalog)
        except CopilotError as e:
            return self.reject(str(e), body)

    def reject(self, reason: str, body: bytes, status: int = 400) -> tuple[int, dict[str, Any]]:
        """A payload refused: recorded in the audit log, answered with the reason."""
        self.audit.rejected("alertmanager", reason, body)
        return status, {"error": reason}


def create_app(service: Service):
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def alertmanager(request: Request) -> JSONResponse:
        refused = service.authorise(request.headers)  # before a byte of the body is read
        if refused is not None:
            return JSONResponse(refused[1], status_code=refused[0])
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > service.max_body:
            status, doc = service.reject(f"body of {int(declared):,} bytes is over {service.max_body:,}", b"", 413)
            return JSONResponse(doc, status_code=status)
        body = bytearray()
        async for chunk in request.stream():  # a body without a length is cut off at the cap too
            body += chunk
            if len(body) > service.max_body:
                status, doc = service.reject(f"body is over {service.max_body:,} bytes", bytes(body[:4000]), 413)
                return JSONResponse(doc, status_code=status)
        status, doc = await service.accept(request.headers, bytes(body))
        return JSONResponse(doc, status_code=status)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "jobs": service.queue.counts()})

    @asynccontextmanager
    async def lifespan(app: Any):
        service.start()
        try:
            yield
        finally:
            service.stop()

    routes = [Route("/alertmanager", alertmanager, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    if service.slack_app is not None:
        from slack_bolt.adapter.starlette import SlackRequestHandler

        from oncall.serving.slack_app import ReplayGuard

        slack = SlackRequestHandler(service.slack_app)

        guard = ReplayGuard(service.slack_secret or "")

        async def slack_events(request: Request) -> Any:
            refused = guard.refuse(request.headers, await request.body())
            if refused:
                return JSONResponse({"error": refused}, status_code=401)
            return await slack.handle(request)  # Bolt checks the signature and acks; the work runs after

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes, lifespan=lifespan)
