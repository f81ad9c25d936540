"""The backends an investigation reads through, and every backend a tool can be configured
with. Adding a backend is one module beside its tool (the backend class and its settings
model, `backend: Literal["name"]`) and one line here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from oncall.tools.open_pr import PrRequests
from oncall.tools.open_pr.github import GithubPrConfig
from oncall.tools.query_history import HistoryBackend
from oncall.tools.query_history.databricks import DatabricksConfig
from oncall.tools.read_changes import ChangesBackend
from oncall.tools.read_changes.argocd import ArgoCDConfig
from oncall.tools.read_changes.github import GithubChangesConfig
from oncall.tools.read_config import ConfigBackend
from oncall.tools.read_config.github import GithubConfigFilesConfig
from oncall.tools.read_k8s import K8sBackend
from oncall.tools.read_k8s.kubernetes import KubernetesConfig
from oncall.tools.read_logs import LogBackend
from oncall.tools.read_logs.loki import LokiConfig
from oncall.tools.read_logs.opensearch import OpenSearchConfig
from oncall.tools.read_metrics import MetricsBackend
from oncall.tools.read_metrics.cloudwatch import CloudWatchConfig
from oncall.tools.read_metrics.prometheus import PrometheusConfig
from oncall.tools.read_runbook import RunbookBackend
from oncall.tools.read_runbook.confluence import ConfluenceConfig
from oncall.tools.read_traces import TraceBackend
from oncall.tools.read_traces.jaeger import JaegerConfig
from oncall.tools.read_traces.tempo import TempoConfig


@dataclass
class Backends:
    logs: LogBackend
    metrics: MetricsBackend
    changes: ChangesBackend
    history: HistoryBackend
    runbooks: RunbookBackend
    pull_requests: PrRequests | None = None  # set only when the investigation may open a PR
    k8s: K8sBackend | None = None  # optional sources: their tools are offered only when one is set
    traces: TraceBackend | None = None
    config: ConfigBackend | None = None  # the config repository as it is now (read_config)


# One line per configuration section: the settings models that may fill it (told apart by `backend`).
LogsSettings = Annotated[OpenSearchConfig | LokiConfig, Field(discriminator="backend")]
MetricsSettings = Annotated[PrometheusConfig | CloudWatchConfig, Field(discriminator="backend")]
RunbooksSettings = ConfluenceConfig
HistorySettings = DatabricksConfig
ChangesSettings = Annotated[ArgoCDConfig | GithubChangesConfig, Field(discriminator="backend")]
PullRequestsSettings = GithubPrConfig
K8sSettings = KubernetesConfig
TracesSettings = Annotated[JaegerConfig | TempoConfig, Field(discriminator="backend")]
ConfigSettings = GithubConfigFilesConfig

# Tools whose source an estate may lack: offered (and collected) only when its backend is set.
OPTIONAL_SOURCES = {"read_k8s": "k8s", "read_traces": "traces", "read_config": "config"}
