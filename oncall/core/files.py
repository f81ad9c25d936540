"""Reading an incident bundle as untrusted data: nothing in it may lead outside it, and no
file in it may be larger than the copilot can afford to read.

`check_tree` walks the bundle once, without following links, and refuses a link that
resolves outside the bundle (a runbook linked to /etc/passwd, `repo -> /`) and anything
that is not a regular file or a folder (a FIFO, a device: `alert.json -> /dev/zero`).
`read_small` reads a file that has a size cap (an alert, a catalog, a runbook)."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from oncall.core.errors import BundleError, CopilotError

MiB = 1024 * 1024
ALERT_MAX = 1 * MiB  # an alert of megabytes is not an alert
CATALOG_MAX = 1 * MiB
RUNBOOK_MAX = 1 * MiB
RECORDS_MAX = 256 * MiB  # changes.jsonl, history.jsonl: read whole


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "folder"
    for test, name in (
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def check_tree(root: Path) -> None:
    """Refuse a bundle with a link that leads outside it or an entry that is not a file or folder."""
    top = root.resolve()
    for here, dirs, files in os.walk(top, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(here) / name
            rel = path.relative_to(top)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    raise BundleError(f"{rel} is a broken or looping link; refused") from None
                if not target.is_relative_to(top):
                    raise BundleError(f"{rel} links to {target}, outside the bundle; refused")
                mode = os.stat(target).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise BundleError(f"{rel} is a {_kind(mode)}, not a regular file; refused")


def plain_relative(path: str) -> bool:
    """A relative path inside a folder: not absolute, no `..`, no control characters or backslashes."""
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and path.isprintable() and "\\" not in path


def read_small(path: Path, limit: int, what: str, error: type[CopilotError] = BundleError) -> str:
    """The text of a regular file of at most `limit` bytes, or `error` saying why not."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{what} {path} not found") from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{what} {path} is a {_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise error(f"{what} {path} is {st.st_size:,} bytes; the limit is {limit:,}")
    with open(path, "rb") as f:
        data = f.read(limit + 1)  # the file may grow after the stat
    if len(data) > limit:
        raise error(f"{what} {path} is over {limit:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"{what} {path} is not UTF-8 text (byte {e.start})") from None
