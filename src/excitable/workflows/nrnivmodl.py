"""NEURON's mechanisms compiled by ``nrnivmodl`` and kept for the next time (used by
``excitable mod compare`` and by the tests that run NEURON side by side).

The compiled folder is named by a digest of the .mod files' bytes, under
``$XDG_CACHE_HOME/excitable/NAME`` (``~/.cache`` by default): a changed file compiles again, an
unchanged one never does. A parallel process either wins the atomic rename or finds the folder
already there. Nothing is compiled unless the user asked for NEURON's side (the ``neuron`` wheel and
a C compiler are needed only here, never to run a model).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def nrnivmodl() -> str | None:
    """The nrnivmodl beside this Python (the neuron wheel's), else one on PATH; None if neither."""
    here = Path(sys.executable).parent / "nrnivmodl"
    return str(here) if here.exists() else shutil.which("nrnivmodl")


def compile_mods(files, cache_name: str, timeout_s: float = 300) -> tuple[Path | None, str]:
    """(folder holding ``files`` compiled by nrnivmodl, "") or (None, why not: one line)."""
    tool = nrnivmodl()
    if tool is None:
        return None, "nrnivmodl not found (pip install 'excitable[nmodl]' installs NEURON's)"
    files = [Path(f) for f in files]
    extra, why = _included(files)
    if why:
        return None, why
    digest = hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in files)
                            + b"".join(name.encode() + f.read_bytes() for name, f in extra)).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "excitable" / cache_name
    target = base / digest
    if any(target.glob("*/libnrnmech.so")):
        return target, ""
    base.mkdir(parents=True, exist_ok=True)
    with _one_at_a_time(base / f".{digest}.lock"):
        if any(target.glob("*/libnrnmech.so")):  # a parallel process compiled them while this one waited
            return target, ""
        return _compile(tool, files, extra, base, target, timeout_s)


@contextlib.contextmanager
def _one_at_a_time(path: Path):
    """Hold an exclusive lock on ``path`` (a parallel process compiling the same files waits for it
    instead of compiling them again; two test workers did). Where the platform has no ``fcntl``, no
    lock: the atomic rename still keeps one folder."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _compile(tool: str, files, extra, base: Path, target: Path, timeout_s: float) -> tuple[Path | None, str]:
    """nrnivmodl run on copies of ``files`` (and the files they include) in a fresh folder beside
    ``target``, renamed to it when it compiled; (None, why) when it did not."""
    work = Path(tempfile.mkdtemp(dir=base, prefix=".build-"))
    for f in files:
        shutil.copy(f, work / f.name)
    for name, f in extra:  # beside the .mod files, where nocmodl looks first
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, work / name)
    try:
        done = subprocess.run([tool, "."], cwd=work, capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(work, ignore_errors=True)
        return None, f"nrnivmodl did not finish: {exc}"
    if done.returncode != 0 or not any(work.glob("*/libnrnmech.so")):
        shutil.rmtree(work, ignore_errors=True)
        return None, "nrnivmodl failed: " + _last_error(done.stdout + done.stderr)
    try:
        work.rename(target)
    except OSError:  # another process finished first: use its folder
        shutil.rmtree(work, ignore_errors=True)
    return target, ""


def _included(files) -> tuple[list[tuple[str, Path]], str]:
    """(name as written, file) of every file the .mod files INCLUDE (io/nmodl/includes.py), and ""; or
    ([], why not) for a name that would not sit inside the build folder (absolute, or with ..)."""
    from excitable.errors import ModelError
    from excitable.io.nmodl.includes import included

    out = []
    try:
        for f in files:
            out += included(f, f.read_text(encoding="utf-8", errors="replace"))
    except ModelError as exc:
        return [], str(exc)
    for name, _ in out:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            return [], f"nrnivmodl: INCLUDE \"{name}\" names a file outside the .mod files' folder; copy it there"
    return out, ""


def _last_error(log: str) -> str:
    """The line of a compiler log that says what went wrong (the first 'error' line, else the last)."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    for pattern in (r"\berror:", r"\berror\b"):  # the compiler's "file:line: error: ...", then nocmodl's
        hit = next((ln for ln in lines if re.search(pattern, ln, re.IGNORECASE) and not ln.startswith("NOTE")), None)
        if hit:
            return hit[:300]
    return lines[-1][:300] if lines else "no output"
