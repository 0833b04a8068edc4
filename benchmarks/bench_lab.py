"""The lab over HTTP, as a browser uses it: ``excitable lab`` started in a subprocess, driven with
plain HTTP requests (stdlib ``urllib``) from this process.

Measured (request sent to JSON parsed, wall clock on this side):
- first page load: GET /, GET /api/experiments, GET /static/vendor/plotly.min.js and the page's
  own CSS/JS, one after the other, on a server that has just started (its warm-up running beside);
- a changed parameter on the single-compartment pages (action-potential amplitude, gates-overlap
  amplitude and temperature, membrane-currents amplitude, all-or-none pulse): each page is run twice to compile its
  programs, then ``--moves`` new values (never the same twice, so no cache hit), median over all;
- a 1000-compartment axon (propagation, squid preset, ncomp=1000, its default tstop): one run to
  compile, then ``--moves`` new temperatures, median;
- a classroom: 30 clients at once (threads), each moving a slider 20 times on a single-compartment
  page (action-potential or membrane-currents amplitude, half the class each; a new value each time, the next request sent when the previous one answered, after a 50-ms
  pause like a debounced slider), p50/p95/max latency and failed requests (any status but 200).
Beside each latency, the server's own compute time (the payload's ``elapsed_ms``, median): the
difference is HTTP, JSON and waiting in the queue; and the server process's CPU per move (user +
system from /proc, all its threads, over the ``--moves``), which the other sessions' load does not
inflate as it does the wall-clock times. Goals (issue 17): median <= 100 ms on single
compartments, <= 300 ms for the 1000-compartment axon, first page load < 1 s, classroom p95 <= 1 s
with no failure.

Usage: python benchmarks/bench_lab.py [--quick] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import _common as c

SINGLE = (("action-potential", "amplitude", 10.0), ("gates-overlap", "amplitude", 2.0),
          ("membrane-currents", "amplitude", 10.0), ("all-or-none", "pulse", 1.0),
          # a threshold searched on every move (gates-overlap's amplitude reuses the one it found)
          ("gates-overlap", "temperature", 6.3))
#: gates-overlap's controls that set the run's length, moved by their slider's step as a learner
#: does (name, key, first value, step): a program per length until the ladder of lengths
#: (gates_overlap.run_length); window 31-50 ms meets two rungs, delay 5.5-15 ms one.
LENGTHS = (("gates-overlap", "delay", 5.5, 0.5), ("gates-overlap", "window", 31.0, 1.0))
#: The classroom's pages: one simulation per request (gates-overlap and all-or-none search a
#: threshold, a few batched runs of 32 each: a class on them is measured by the latencies above).
CLASSROOM = (SINGLE[0], SINGLE[2])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base: str, path: str, body: dict | None = None, timeout: float = 120.0):
    """(seconds, status, parsed JSON or bytes) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    dt = time.perf_counter() - t0
    try:
        return dt, status, json.loads(raw)
    except ValueError:
        return dt, status, raw


def start(workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([c.PYTHON, "-m", "excitable.interfaces.cli", "lab", "--no-browser", "--port", str(port),
                             "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    proc.stdout.readline()  # the URL: the socket listens
    return proc, f"http://127.0.0.1:{port}"


def first_load(base: str) -> float:
    total = 0.0
    for path in ("/", "/api/experiments", "/static/vendor/plotly.min.js", "/static/lab.css", "/static/lab.js"):
        dt, status, _ = request(base, path)
        print(f"  GET {path}: {c.fmt_s(dt)}")
        total += dt
        if status != 200 and path in ("/", "/api/experiments"):
            raise SystemExit(f"GET {path}: status {status}")
    return total


def moves(base: str, name: str, key: str, start_value: float, n: int, step: float, extra=None):
    """Latencies (s) and server compute times (ms) of ``n`` runs with new values of ``key``."""
    lat, server = [], []
    for i in range(n):
        dt, status, body = request(base, f"/api/run/{name}", {"params": {**(extra or {}), key: start_value + step * i}})
        if status != 200:
            raise SystemExit(f"{name} {key}: status {status}: {body}")
        lat.append(dt)
        server.append(body["elapsed_ms"])
    return lat, server


def timed_moves(proc, base: str, name: str, key: str, v0: float, n: int, step: float):
    """``moves`` with its medians and the server's CPU per move printed."""
    cpu0 = server_cpu(proc)
    a, b = moves(base, name, key, v0, n, step)
    cpu = (server_cpu(proc) - cpu0) / n
    print(f"  {name:18s} {key}: median {c.fmt_s(statistics.median(a))} max {c.fmt_s(max(a))} "
          f"(server {statistics.median(b):.1f} ms, server CPU {1e3 * cpu:.1f} ms/move)  "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return a, b


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system, all threads) the server process has used so far; NaN off Linux."""
    try:
        with open(f"/proc/{proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def classroom(base: str, clients: int, per_client: int) -> tuple[list[float], int]:
    lat, failures, lock = [], [0], threading.Lock()

    def client(k: int):
        name, key, v0 = CLASSROOM[k % len(CLASSROOM)]
        for i in range(per_client):
            value = round(v0 * (1.0 + 0.2 * (k * per_client + i) / (clients * per_client)), 6)
            try:
                dt, status, _ = request(base, f"/api/run/{name}", {"params": {key: value}})
            except OSError:
                dt, status = float("nan"), 0
            with lock:
                lat.append(dt)
                failures[0] += status != 200
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, failures[0]


def single_pages(proc, base: str, n: int, gates_only: bool, rows: list) -> None:
    lat, server = [], []
    for name, key, v0 in SINGLE:
        if gates_only and name != "gates-overlap":
            continue
        moves(base, name, key, v0 * 0.9, 2, 0.001)  # compiled (or taken from the warm-up)
        a, b = timed_moves(proc, base, name, key, v0, n, v0 * 0.01)
        lat += a
        server += b
    rows.append(c.row("lab", f"changed parameter, single compartment, median of {len(lat)}",
                      statistics.median(lat), goal="<= 100 ms"))
    rows.append(c.row("lab", "  of which server compute (median)", statistics.median(server) / 1e3))
    for name, key, v0, step in LENGTHS:  # no move before: the first learner's move is timed too
        a, _ = timed_moves(proc, base, name, key, v0, n, step)
        rows.append(c.row("lab", f"changed parameter, {name} {key} (slider steps), median of {n}",
                          statistics.median(a), goal="<= 100 ms"))


def axon(base: str, n: int, rows: list) -> None:
    # The default tstop follows the temperature (a velocity guess); it runs on a ladder of
    # program lengths (propagation.run_length), so these moves (18.5-19 degC) meet the program
    # the first run compiled.
    axon = {"ncomp": 1000}
    moves(base, "propagation", "temperature", 18.0, 1, 0.0, axon)
    a, b = moves(base, "propagation", "temperature", 18.5, max(3, n // 2), 0.05, axon)
    print(f"1000-compartment axon: median {c.fmt_s(statistics.median(a))} (server {statistics.median(b):.1f} ms)")
    rows.append(c.row("lab", "changed parameter, 1000-compartment axon (median)", statistics.median(a),
                      goal="<= 300 ms"))
    rows.append(c.row("lab", "  of which server compute (median)", statistics.median(b) / 1e3))


def a_class(base: str, quick: bool, rows: list) -> None:
    clients, per = (10, 5) if quick else (30, 20)
    t0 = time.perf_counter()
    lat, failed = classroom(base, clients, per)
    wall = time.perf_counter() - t0
    ok = sorted(x for x in lat if not math.isnan(x))
    p95 = ok[int(0.95 * (len(ok) - 1))] if ok else float("nan")
    print(f"classroom {clients} clients x {per} moves: p50 {c.fmt_s(statistics.median(ok))} p95 {c.fmt_s(p95)} "
          f"max {c.fmt_s(ok[-1])} failed {failed}/{len(lat)} in {wall:.1f} s "
          f"({len(lat) / wall:.1f} requests/s)  load average {os.getloadavg()[0]:.1f}")
    rows.append(c.row("lab", f"classroom {clients} clients x {per} moves: p95", p95, goal="<= 1 s"))
    rows.append(c.row("lab", f"classroom: failed requests {failed} of {len(lat)}", None, goal="0"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gates", action="store_true", help="gates-overlap's controls only (no axon, no classroom)")
    args = ap.parse_args()
    n = 5 if args.quick else 20
    proc, base = start(args.workers)
    rows = []
    try:
        load = first_load(base)
        print(f"first page load (5 requests): {c.fmt_s(load)}  load average {os.getloadavg()[0]:.1f}")
        rows.append(c.row("lab", "first page load (/, experiments, plotly.js, css, js)", load, goal="< 1 s"))
        t0, cpu0 = time.perf_counter(), server_cpu(proc)
        while not request(base, "/api/status")[2]["warm"] and time.perf_counter() - t0 < 300:
            time.sleep(0.5)  # the start-up warm-up (single pages, batch sizes, more settings) in the background
        print(f"warm-up finished {time.perf_counter() - t0 + load:.1f} s after the first request "
              f"(server CPU {server_cpu(proc) - cpu0:.1f} s)")
        single_pages(proc, base, n, args.gates, rows)
        if not args.gates:
            axon(base, n, rows)
            a_class(base, args.quick, rows)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    c.emit(rows)


if __name__ == "__main__":
    sys.exit(main())
