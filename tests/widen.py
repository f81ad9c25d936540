"""A wider estate for the bench: the demo bundle plus N quiet services (catalog entries and every
metric series of one of the demo's quiet services, renamed), so metrics and the catalog grow the way
a real estate does while the incident stays the demo's."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml


def widen(src: Path, dst: Path, extra: int) -> Path:
    shutil.copytree(src, dst)
    catalog = yaml.safe_load((dst / "catalog.yaml").read_text())
    services = catalog["services"]
    quiet = list(services)[-1]
    for i in range(extra):
        services[f"svc-{i:04d}"] = {**copy.deepcopy(services[quiet]), "depends_on": []}
    (dst / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    lines = (src / "metrics.om").read_text().splitlines()
    body = [ln for ln in lines if ln and ln != "# EOF"]
    mine = [ln for ln in body if f'service="{quiet}"' in ln and not ln.startswith("#")]
    with (dst / "metrics.om").open("w") as fh:
        fh.write("\n".join(body) + "\n")
        for i in range(extra):
            fh.write("\n".join(ln.replace(f'service="{quiet}"', f'service="svc-{i:04d}"') for ln in mine) + "\n")
        fh.write("# EOF\n")
    return dst
