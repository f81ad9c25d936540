"""Kubernetes backend (the official `kubernetes` client), read-only: Warning events in the namespace,
and the service's pods and Deployments by label. Objects are read as the API's own JSON
(`_preload_content=False`), so `read_k8s.read` summarises them exactly as it does a bundle's.
RBAC it needs: get/list on events, pods (core) and deployments (apps) in the namespace."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.tools.read_k8s import Objects
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure, secret

MAX_ITEMS = 500  # one list call's page: a namespace's warnings for a day fit; more is cut by the server


class KubernetesState:
    def __init__(self, remote: Remote, namespace: str, label: str, client_config: Any):
        self.remote = remote
        self.namespace = namespace
        self.label = label
        self._config = client_config
        self._apis: tuple[Any, Any] | None = None
        # the namespace's warnings, listed once per period: every service of an investigation reads them
        self._events: dict[tuple[datetime, datetime], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _clients(self) -> tuple[Any, Any]:
        if self._apis is None:
            from kubernetes import client

            api = client.ApiClient(self._config)
            self._apis = (client.CoreV1Api(api), client.AppsV1Api(api))
        return self._apis

    def _list(self, what: str, call: Any, **kw: Any) -> list[dict[str, Any]]:
        def once() -> list[dict[str, Any]]:
            resp = call(
                self.namespace, limit=MAX_ITEMS, _preload_content=False, _request_timeout=self.remote.timeout_s, **kw
            )
            doc = json.loads(resp.data)
            return [i for i in doc.get("items") or [] if isinstance(i, dict)]

        return self.remote.call(f"list {what} in namespace {self.namespace}", once, _classify)

    def objects(self, service: str, since: datetime, until: datetime) -> Objects:
        core, apps = self._clients()
        selector = f"{self.label}={service}"
        with self._lock:  # the collection's parallel calls wait for the first one's list
            if (since, until) not in self._events:
                self._events[(since, until)] = self._list(
                    "warning events", core.list_namespaced_event, field_selector="type=Warning"
                )
            events = self._events[(since, until)]
        return Objects(
            events=events,
            pods=[
                {"kind": "Pod", **p}
                for p in self._list(f"pods {selector}", core.list_namespaced_pod, label_selector=selector)
            ],
            deployments=self._list(f"deployments {selector}", apps.list_namespaced_deployment, label_selector=selector),
            source=f"kubernetes {self.remote.url} namespace {self.namespace}",
            namespace=self.namespace,
        )

    def check(self) -> str:
        core, _ = self._clients()
        n = len(self._list("warning events", core.list_namespaced_event, field_selector="type=Warning"))
        return f"namespace {self.namespace} readable; {n} warning events listed"


def _classify(e: Exception) -> Failure | None:
    from kubernetes.client.exceptions import ApiException

    if isinstance(e, ApiException):
        detail = e.reason or ""
        with contextlib.suppress(ValueError, AttributeError):
            detail = json.loads(e.body or "{}").get("message") or detail
        retry = (e.headers or {}).get("Retry-After") if e.headers else None
        return Failure(e.status or None, str(detail), retry_after=float(retry) if retry and retry.isdigit() else None)
    return network_failure(e)


# -- configuration (a section of the --config file) -----------------------------------------


class KubernetesConfig(RemoteSettings):
    backend: Literal["kubernetes"]
    url: str = ""  # the API server; empty: from the in-cluster service account, else the kubeconfig
    namespace: str = "default"
    label: str = "app.kubernetes.io/name"  # the pod and Deployment label that holds the service's name
    token_env: str | None = None  # a bearer token, when the URL is given
    ca_file: str | None = None  # the API server's CA bundle, when the URL is given
    kubeconfig: str | None = None  # a kubeconfig file, when neither URL nor in-cluster account is used
    context: str | None = None
    timeout_s: float = Field(10.0, gt=0, le=120)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from kubernetes import client, config

        cfg = client.Configuration()
        if self.url:
            cfg.host = self.url
            token = secret(env, self.token_env, "k8s.token_env")
            if token:
                cfg.api_key = {"authorization": token}
                cfg.api_key_prefix = {"authorization": "Bearer"}
            cfg.verify_ssl = self.verify_tls
            cfg.ssl_ca_cert = self.ca_file
        else:
            try:
                config.load_incluster_config(client_configuration=cfg)
            except config.ConfigException:
                config.load_kube_config(config_file=self.kubeconfig, context=self.context, client_configuration=cfg)
        cfg.retries = 0  # one retry policy for every backend (tenacity, in Remote)
        remote = Remote("Kubernetes", cfg.host, self.token_env, self.timeout_s, extra="kubernetes")
        return KubernetesState(remote, self.namespace, self.label, cfg)
