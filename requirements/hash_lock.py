"""Write requirements/image.lock: the image's packages (the base install and every production
backend's extra, pinned by dev.lock) with the sha256 pip's resolver reports for each file it would
install here (Linux x86-64, CPython 3.11, as in the image). `make image-lock` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BACKENDS = ["opensearch", "prometheus", "confluence", "databricks", "argocd", "github", "postgres", "mcp"]
EXTRAS = ",".join([*BACKENDS, "kubernetes", "cloudwatch", "jaeger", "loki", "picture"])
HEADER = """\
# The container image's packages (Dockerfile): the base install plus every production backend's
# extra, pinned as in dev.lock, each with the sha256 of the file pip installs on Linux x86-64
# for CPython 3.11, so `pip install --require-hashes` refuses anything else.
# Extras: {extras}.
# Regenerate with `make image-lock`."""


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "--quiet",
                "--report",
                str(report),
                "-c",
                str(root / "requirements" / "dev.lock"),
                f"{root}[{EXTRAS}]",
            ],
            check=True,
        )
        doc = json.loads(report.read_text())
    lines = [HEADER.format(extras=EXTRAS.replace(",", ", "))]
    for item in sorted(doc["install"], key=lambda i: i["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if name == "oncall-copilot":
            continue
        archive = item["download_info"].get("archive_info", {})
        digest = (archive.get("hashes") or {}).get("sha256") or archive.get("hash", "=").split("=", 1)[1]
        if not digest:
            raise SystemExit(f"no sha256 for {name}=={version}")
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    (root / "requirements" / "image.lock").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
