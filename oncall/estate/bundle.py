"""An incident bundle: one folder that is one estate at one moment (DESIGN.md).
It provides the alert payload, the catalog and the embedded backends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.catalog import Catalog
from oncall.core.errors import BundleError
from oncall.core.files import CATALOG_MAX, check_tree, read_small
from oncall.intake import read_payload
from oncall.tools.backends import Backends
from oncall.tools.open_pr import PrPolicy, PrRequests
from oncall.tools.open_pr.localgit import LocalForks
from oncall.tools.query_history.embedded import DuckDBHistory
from oncall.tools.read_changes.embedded import JsonlChanges
from oncall.tools.read_config import embedded as repo
from oncall.tools.read_k8s import embedded as k8s
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_metrics.embedded import OpenMetricsFile
from oncall.tools.read_runbook.embedded import MarkdownRunbooks
from oncall.tools.read_traces import embedded as traces


@dataclass
class Bundle:
    root: Path
    catalog: Catalog
    notes: list[str]  # problems that do not stop an investigation (e.g. no catalog)
    cache: Path | None = None  # where backends may keep what they derive from the files (never inside)

    @classmethod
    def open(cls, root: Path | str, cache: Path | None = None) -> Bundle:
        root = Path(root)
        if not root.exists():
            raise BundleError(f"bundle {root} does not exist")
        if not root.is_dir():
            raise BundleError(f"bundle {root} is not a directory")
        check_tree(root)  # every later read of the bundle stays inside it
        notes = []
        cat_path = root / "catalog.yaml"
        if cat_path.exists():
            catalog = load_catalog(cat_path)
        else:
            catalog = Catalog()
            notes.append("the bundle has no catalog.yaml: no dependencies, signals or runbook tags are known")
        return cls(root=root, catalog=catalog, notes=notes, cache=cache)

    def moment(self) -> datetime | None:
        """When the estate was captured: the start of its alert. A request without a time (a Slack
        message) is investigated at this moment, since the bundle holds nothing later."""
        from oncall.core.errors import CopilotError
        from oncall.intake import parse

        try:
            alerts = parse(self.alert_payload())
        except CopilotError:
            return None
        return alerts[0].starts_at if alerts else None

    def alert_payload(self, path: Path | None = None) -> Any:
        return read_payload(path or self.root / "alert.json")

    def pull_requests(self, workdir: Path) -> PrRequests:
        """open_pr on the embedded default: the bundle's repo/ as upstream, a fork beside it in `workdir`."""
        repos = Counter(s.repo for s in self.catalog.services.values() if s.repo)
        if not repos:
            raise BundleError("--open-pr needs a catalog that names the services' config repository")
        repo = repos.most_common(1)[0][0]
        return PrRequests(
            policy=PrPolicy(allowed_repos={repo}),
            backend=LocalForks(source=self.root / "repo", workdir=workdir, repo=repo),
        )

    def backends(self) -> Backends:
        return Backends(
            logs=JsonlLogs(self.root / "logs.jsonl"),
            metrics=OpenMetricsFile(self.root / "metrics.om", cache=self.cache / "metrics" if self.cache else None),
            changes=JsonlChanges(self.root / "changes.jsonl"),
            history=DuckDBHistory(self.root / "history.jsonl"),
            runbooks=MarkdownRunbooks(self.root / "runbooks"),
            k8s=k8s.BundleK8s(self.root) if k8s.present(self.root) else None,
            traces=traces.OtlpFile(self.root / traces.NAME) if traces.present(self.root) else None,
            config=repo.BundleRepo(self.root / repo.NAME) if repo.present(self.root) else None,
        )


def load_catalog(path: Path) -> Catalog:
    return Catalog.parse(read_small(path, CATALOG_MAX, "catalog"), path.name)
