"""``excitable mod compare`` in a child process, so that NEURON crashing is one line, not silence.

`mod compare` runs NEURON in its own process (``workflows.neuron_side``). Where NEURON itself
crashes on a file (ModelDB 139421's MyExp2SynBB.mod: nocmodl 9.0.2 reads a THREADSAFE GLOBAL written
in NET_RECEIVE through a null pointer, a segmentation fault at the first event), the process died
with it: exit status 139 and nothing printed (NEURON's own words were held for the one-line error
``neuron_failure`` makes of a hoc error). Run from the command line, the comparison now runs in a
child; where the child dies of a signal, this says so in one line, naming what NEURON was running
(``neuron_failure`` writes it to the file ``STEP_ENV`` names), with exit status 2: NEURON cannot run
the file, so there is nothing to compare. ``main()`` called in a process (the tests) runs it there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile

#: Set in the child: run the comparison in this process.
CHILD_ENV = "EXCITABLE_COMPARE_CHILD"
#: The file where the child writes what NEURON is running (workflows.neuron_side.neuron_failure).
STEP_ENV = "EXCITABLE_NEURON_STEP"


def wanted(argv: list[str]) -> bool:
    """Whether ``excitable argv`` should run in a child: a `mod compare` not already in one."""
    return argv[:2] == ["mod", "compare"] and os.environ.get(CHILD_ENV) != "1"


def compare_in_child(argv: list[str]) -> int:
    """Run ``excitable argv`` in a child process (its output is this one's); its exit status, or 2
    with one line where it died of a signal."""
    fd, step = tempfile.mkstemp(prefix="excitable-neuron-step-")
    os.close(fd)
    try:
        env = {**os.environ, CHILD_ENV: "1", STEP_ENV: step}
        try:
            rc = subprocess.call([sys.executable, "-m", "excitable.interfaces.cli", *argv], env=env)
        except KeyboardInterrupt:  # Ctrl-C reaches the child too: the user stopped it, nothing crashed
            return 128 + signal.SIGINT
        if rc >= 0 or rc == -signal.SIGINT:
            return rc if rc >= 0 else 128 + signal.SIGINT
        with open(step, encoding="utf-8", errors="replace") as f:
            what = f.read().strip()
    finally:
        os.unlink(step)
    try:
        name = signal.Signals(-rc).name
    except ValueError:
        name = f"signal {-rc}"
    where = f" while NEURON ran {what}" if what else ""
    sys.stderr.write(f"excitable: error: mod compare: the process crashed ({name}){where}: NEURON itself cannot "
                     f"run this file (try it in NEURON alone), so there is nothing to compare\n")
    return 2
