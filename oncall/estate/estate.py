"""What an investigation runs against: the catalog and a backend per tool, from an
incident bundle, a configuration file, or both (the file's backends, the bundle's
for the rest). Every entry point opens one with `open_estate`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.catalog import Catalog
from oncall.core.errors import AlertInputError, ConfigError, UsageError
from oncall.estate.bundle import Bundle
from oncall.estate.config import Config
from oncall.intake import read_payload
from oncall.tools.backends import Backends
from oncall.tools.open_pr import PrRequests


@dataclass
class Estate:
    catalog: Catalog
    backends: Backends
    bundle: Bundle | None = None
    config: Config | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)

    def pull_requests(self, workdir: Path) -> PrRequests:
        """open_pr's backend: the configured GitHub fork, else the bundle's local one."""
        if self.config is not None and self.config.pull_requests is not None:
            return self.config.build("pull_requests", self.env, self.catalog)
        if self.bundle is not None:
            return self.bundle.pull_requests(workdir)
        raise ConfigError("--open-pr needs a pull_requests section in the configuration, or a bundle")

    def moment(self) -> datetime | None:
        return self.bundle.moment() if self.bundle is not None else None

    def alert_payload(self, path: Path | None) -> Any:
        if path is not None:
            return read_payload(path)
        if self.bundle is not None:
            return self.bundle.alert_payload()
        raise AlertInputError("no alert: give --alert FILE (there is no bundle to take alert.json from)")


def open_estate(bundle: Path | None, config: Path | None, env: Mapping[str, str], cache: Path | None = None) -> Estate:
    """`cache`: where the embedded backends may keep what they derive from the bundle's files (the
    metrics index), so the next investigation of the same files does not derive it again."""
    opened = Bundle.open(bundle, cache=cache) if bundle is not None else None
    if config is None:
        if opened is None:
            raise UsageError("give an incident bundle, a configuration file (--config or ONCALL_CONFIG), or both")
        return Estate(opened.catalog, opened.backends(), bundle=opened, notes=list(opened.notes))
    cfg = Config.load(config)
    catalog = cfg.load_catalog(opened.catalog if opened else None)
    backends = cfg.backends(env, catalog, opened.backends() if opened else None)
    notes = list(opened.notes) if opened and cfg.catalog is None else []
    return Estate(catalog, backends, bundle=opened, config=cfg, env=env, notes=notes)
