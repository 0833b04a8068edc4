"""NEURON mechanisms compiled once with nrnivmodl and reused across sessions (test helper).

The compiled folder is named by a digest of the .mod files, under ``$XDG_CACHE_HOME/excitable/NAME``
(``~/.cache`` by default): a changed file compiles again, an unchanged one never does. A parallel
session either wins the atomic rename or finds the folder already there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def nrnivmodl() -> str | None:
    """The nrnivmodl beside this Python (the neuron wheel's), else one on PATH; None if neither."""
    here = Path(sys.executable).parent / "nrnivmodl"
    return str(here) if here.exists() else shutil.which("nrnivmodl")


def compiled(files, cache_name: str, timeout_s: float = 300) -> Path | None:
    """A folder holding ``files`` (.mod paths) compiled by nrnivmodl; None when nrnivmodl is missing
    or fails (the caller skips its NEURON comparison then)."""
    tool = nrnivmodl()
    if tool is None:
        return None
    files = [Path(f) for f in files]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "excitable" / cache_name
    target = base / digest
    if not any(target.glob("*/libnrnmech.so")):
        base.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=base, prefix=".build-"))
        for f in files:
            shutil.copy(f, work / f.name)
        try:
            done = subprocess.run([tool, "."], cwd=work, capture_output=True, timeout=timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            shutil.rmtree(work, ignore_errors=True)
            return None
        if done.returncode != 0 or not any(work.glob("*/libnrnmech.so")):
            shutil.rmtree(work, ignore_errors=True)
            return None
        try:
            work.rename(target)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
    return target
