"""Upload storage that fails for real: the upload directory on a tiny file system of its own (tmpfs),
filled to the last byte (writes fail with ENOSPC) or remounted read-only (EROFS).

Mounting needs root (CAP_SYS_ADMIN). Without it, "full" falls back to /dev/full: every new file the
app writes is opened on /dev/full, whose writes the kernel refuses with ENOSPC; "read-only" falls
back to a directory without write permission (EACCES), which only binds a user that is not root.
"""
from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Attachment


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or os.environ.get("SAMENSPEL_TEST_NO_MOUNT"):  # the latter: try the fallbacks
        return False
    return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0


class FailingStorage:
    def __init__(self, path: Path, monkeypatch):
        self.path = path
        self.monkeypatch = monkeypatch
        path.mkdir(parents=True, exist_ok=True)
        self.mounted = _mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(path))
        self.filler = path / ".filler"
        self.how = ""

    def fill(self) -> None:
        """No byte left: every write of a new file fails with ENOSPC."""
        if not self.mounted:
            from app import files
            real_open = open
            self.monkeypatch.setattr(files, "open", lambda p, mode="r", *a, **k: real_open(
                "/dev/full" if str(p).endswith(".part") else p, mode, *a, **k), raising=False)
            self.how = "/dev/full"
            return
        with open(self.filler, "wb", buffering=0) as fh:
            for chunk in (65536, 4096, 1):  # to the last byte
                try:
                    while fh.write(b"\0" * chunk):
                        pass
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
        self.how = "a full tmpfs"

    def make_read_only(self) -> None:
        if self.mounted:
            assert _mount("-o", "remount,ro", str(self.path))
            self.how = "a read-only tmpfs"
        elif os.geteuid() != 0:
            self.path.chmod(0o555)
            self.how = "a directory without write permission"
        else:
            pytest.skip("cannot make the storage read-only: no mount rights, and root ignores permissions")

    def repair(self) -> None:
        self.monkeypatch.undo()
        if self.mounted:
            _mount("-o", "remount,rw", str(self.path))
            self.filler.unlink(missing_ok=True)
        else:
            self.path.chmod(0o755)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True, timeout=30)


def half_stored(session, directory: Path) -> list[str]:
    """Everything that is stored by halves: a row without its file or with other bytes, a file left
    half-written (`.part`), a file no row refers to."""
    session.commit()
    session.expire_all()
    rows = session.exec(select(Attachment)).all()
    problems = []
    for a in rows:
        path = directory / a.stored_name
        if not path.is_file():
            problems.append(f"attachment {a.id} ({a.filename}): no file")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != a.sha256:
            problems.append(f"attachment {a.id} ({a.filename}): other bytes than recorded")
    known = {a.stored_name for a in rows}
    for path in directory.iterdir() if directory.is_dir() else []:
        if path.name == ".filler":
            continue
        if path.name.endswith(".part"):
            problems.append(f"{path.name}: left half-written")
        elif path.name not in known:
            problems.append(f"{path.name}: a file no attachment refers to")
    return problems
