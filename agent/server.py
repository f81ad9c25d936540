"""`oncall serve`: the Alertmanager webhook, answered at once, investigated behind it.

POST /alertmanager checks the bearer token, parses the batch, stores each firing
alert in the durable queue and answers 202. A bounded pool of workers takes jobs
(one per alert group) and investigates; every investigation and every rejected
payload goes to the audit log. Starlette serves it (uvicorn in production)."""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.alert import Alert, parse
from agent.audit import AuditLog
from agent.catalog import Catalog
from agent.errors import CopilotError
from agent.investigate import Investigation, Settings, investigate
from agent.model import Analyst
from agent.queue import AlertQueue, Job
from tools import Backends

log = logging.getLogger("oncall.serve")


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
    deliver: Callable[[Investigation, list[Alert]], list[dict[str, Any]]] | None = None
    workers: int = 2
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    # -- workers ------------------------------------------------------------------------------
    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"investigator-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self.queue.claim()
            if job is None:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            self.run_job(job)

    def run_job(self, job: Job) -> None:
        lead = job.alerts[0]
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
            self.queue.finish(job.id, None, f"{type(e).__name__}: {e}")
            return
        if len(job.alerts) > 1:
            inv.notes.append(
                f"one investigation for {len(job.alerts)} alerts of one group: "
                + ", ".join(f"{a.alertname} on {a.service or '?'}" for a in job.alerts)
            )
        deliveries, errors = [], []
        if self.deliver:
            try:
                deliveries = self.deliver(inv, job.alerts)
            except Exception as e:
                errors.append(f"delivery failed: {type(e).__name__}: {e}")
        self.audit.investigation(inv, alerts=job.alerts, deliveries=deliveries, errors=errors)
        self.queue.finish(job.id, inv.id)

    # -- HTTP ---------------------------------------------------------------------------------
    def accept(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if not self.webhook_token:
            return 503, {"error": "ONCALL_WEBHOOK_TOKEN is not set on the server"}
        given = headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.webhook_token}".encode()):
            return 401, {"error": "missing or wrong bearer token"}
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            self.audit.rejected("alertmanager", f"body is not JSON: {e}", body)
            return 400, {"error": f"body is not JSON: {e}"}
        if not isinstance(payload, dict) or "alerts" not in payload:
            reason = "not an Alertmanager webhook: no 'alerts' list"
            self.audit.rejected("alertmanager", reason, body)
            return 400, {"error": reason}
        try:
            alerts = parse(payload, service_label=self.catalog.service_label)
        except CopilotError as e:
            self.audit.rejected("alertmanager", str(e), body)
            return 400, {"error": str(e)}
        firing = [
            a.model_copy(update={"service": self.catalog.resolve(a) or a.service})
            for a in alerts
            if a.status == "firing"
        ]
        result = self.queue.enqueue(firing)
        self._wake.set()
        return 202, {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "resolved": len(alerts) - len(firing),
            "jobs": result.jobs,
        }


def create_app(service: Service):
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def alertmanager(request: Request) -> JSONResponse:
        body = await request.body()
        status, doc = await run_in_threadpool(service.accept, dict(request.headers), body)
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

    return Starlette(
        routes=[Route("/alertmanager", alertmanager, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
