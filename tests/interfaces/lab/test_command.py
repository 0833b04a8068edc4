"""``excitable lab``: started as a process it serves the pages and stops cleanly on Ctrl-C; without
the lab extra it says in one line what to install."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_serves_and_stops_cleanly_on_ctrl_c():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "excitable.interfaces.cli", "lab", "--no-browser", "--no-warm",
                             "--host", "0.0.0.0", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"excitable lab: http://127.0.0.1:{port}/  (Ctrl-C stops it)"
        deadline, page = time.monotonic() + 60, None
        while page is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    page = (r.status, r.read())
            except OSError:
                time.sleep(0.2)
        assert page is not None and page[0] == 200 and b"<html" in page[1].lower()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert "warning" in lines[0] and "reachable from the network" in lines[0]
    assert lines[-1] == "excitable lab: stopped"


def test_without_the_lab_extra_one_line_says_what_to_install(monkeypatch, capsys):
    from excitable.interfaces.cli.main import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    assert main(["lab", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err == "excitable: error: excitable lab needs uvicorn: pip install 'excitable[lab]'\n"
