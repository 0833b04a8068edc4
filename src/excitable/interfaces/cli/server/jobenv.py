"""A served run's process settings: the client's umask and the part of its environment a job can take.

A served run must write what the same command writes in-process: files with the client's umask,
temporary files in its ``TMPDIR``, ``~`` meaning its ``HOME``. The server is one long-lived process
that runs one job at a time in its main thread (``daemon.Server``: a run that arrives while one
works is answered "busy"), so for the duration of a job it takes the client's umask and these
variables, and puts its own back before it accepts the next:

- where files go: ``HOME``, ``TMPDIR``/``TEMP``/``TMP`` (``tempfile`` caches its choice: reset for
  the job), ``XDG_*``, ``MPLCONFIGDIR``, ``PWD``;
- who and how things are shown: ``USER``, ``LOGNAME``, ``TZ`` (applied with ``time.tzset``),
  ``LANG``, ``LANGUAGE``, ``LC_*``, ``TERM``, ``NO_COLOR``, ``LINES``.

Not taken per job: what a process reads once at start, which would be set here but have no effect.
Those are part of the server's fingerprint instead (``protocol.fingerprint``), so a client whose
values differ gets a server of its own: ``JAX_*``, ``XLA_*``, ``EXCITABLE_*``, the locale that
fixes the default text encoding (``LANG``, ``LC_ALL``, ``LC_CTYPE``, ``PYTHONUTF8``), and
matplotlib's settings file (read once, when matplotlib is imported). ``PATH``, ``PYTHON*``, ``LD_*``
and the rest stay the server's: they matter only when a process starts.

Used by both sides (the client captures, the server process applies): standard library only, and cheap
(``os`` alone).
"""

from __future__ import annotations

import contextlib
import os

NAMES = frozenset({"HOME", "USER", "LOGNAME", "PWD", "TMPDIR", "TEMP", "TMP", "MPLCONFIGDIR", "TZ",
                   "LANG", "LANGUAGE", "TERM", "NO_COLOR", "LINES"})
PREFIXES = ("XDG_", "LC_")


def taken(name: str) -> bool:
    """Whether a job runs with the client's value of variable ``name``."""
    return name in NAMES or name.startswith(PREFIXES)


def capture(environ=os.environ) -> dict:
    """What the client sends: ``{"umask": int, "env": {name: value}}``."""
    umask = os.umask(0o077)  # the only way to read it: set something, then put it back
    os.umask(umask)
    return {"umask": umask, "env": {k: v for k, v in environ.items() if taken(k)}}


def parse(request: dict) -> tuple[int, dict[str, str]]:
    """The umask and variables of a run request; ValueError/TypeError/KeyError if malformed."""
    umask, env = request["umask"], request["env"]
    if not isinstance(umask, int) or isinstance(umask, bool) or not 0 <= umask <= 0o777:
        raise ValueError(f"umask {umask!r}")
    if not isinstance(env, dict):
        raise TypeError("env")
    for k, v in env.items():
        if not (isinstance(k, str) and isinstance(v, str) and taken(k) and "\0" not in k + v
                and "=" not in k and k):
            raise ValueError(f"variable {k!r}")
    return umask, env


@contextlib.contextmanager
def applied(umask: int, env: dict[str, str]):
    """Run the block with ``umask`` and the client's ``env`` for the taken variables (a taken
    variable the client has not set is unset); the server's own come back afterwards."""
    import tempfile
    import time

    old_umask = os.umask(umask)
    old_env = {k: v for k, v in os.environ.items() if taken(k)}
    old_tempdir = tempfile.tempdir
    try:
        _set(env)
        tempfile.tempdir = None  # gettempdir() chooses again, from this job's TMPDIR
        time.tzset()
        yield
    finally:
        _set(old_env)
        tempfile.tempdir = old_tempdir
        time.tzset()
        os.umask(old_umask)


def _set(env: dict[str, str]) -> None:
    for k in [k for k in os.environ if taken(k) and k not in env]:
        del os.environ[k]
    for k, v in env.items():
        if os.environ.get(k) != v:
            os.environ[k] = v
