"""The warm server's process (see the package's docstring for what it is, ``protocol`` for the messages).

Started by ``client.start_in_background`` as ``python -m excitable.interfaces.cli.server --fingerprint
FP [--warm JSON] [--lock-fd N]`` (the lock, taken by the client so that a server is seen starting from
the first moment). Threads:

- the main thread imports JAX and excitable, compiles the command that started it, then runs one
  job at a time through the same ``main(argv)`` as the command line, in the client's directory,
  with its umask and environment (``jobenv``); Python delivers signals, and so our cancel (a
  simulated Ctrl-C), only to the main thread;
- an accept thread answers every connection at once: status, stop, ``busy`` while a job runs;
- a watcher thread per job notices the client closing its end (Ctrl-C, killed) and cancels the job.
"""

from __future__ import annotations

import _thread
import argparse
import fcntl
import io
import json
import os
import queue
import signal
import socket
import sys
import threading
import time
import traceback
import warnings

from excitable.interfaces.cli.server import jobenv
from excitable.interfaces.cli.server import protocol as proto
from excitable.interfaces.cli.server.job import FrameWriter, Job


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {message}", file=sys.__stderr__, flush=True)


class Server:
    """The serving state: the listening socket, the queue of accepted jobs (one runs at a time, in
    the main thread), and ``state``: starting -> ready <-> busy -> closing."""

    def __init__(self, fp: str, where: dict[str, str], idle_s: float):
        self.fp, self.where, self.idle_s = fp, where, idle_s
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.lock = threading.Lock()
        self.state = "starting"  # -> ready <-> busy -> closing
        self.runs = 0
        self.last_active = time.monotonic()
        self.current: Job | None = None  # the job the main thread runs (only it writes this)
        self.cancel: Job | None = None   # the job to cancel at the next SIGINT
        self.listener: socket.socket | None = None
        self.home = os.getcwd()
        self.environ = dict(os.environ)  # as the clients see it (before our own settings below)

    # -- lifetime --

    def listen(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket file: ours only (the directory is too, a second fence)
        try:
            if os.path.exists(self.where["sock"]):
                os.unlink(self.where["sock"])  # stale: we hold the lock, so no live server owns it
            sock.bind(self.where["sock"])
        finally:
            os.umask(old)
        sock.listen(16)
        self.listener = sock
        threading.Thread(target=self._accept_loop, name="accept", daemon=True).start()

    def close(self) -> None:
        self.state = "closing"  # no lock: close() also runs in a signal handler (on_sigterm)
        try:
            os.unlink(self.where["sock"])  # first, so a new client finds no server and runs itself
        except OSError:
            pass
        if self.listener is not None:
            self.listener.close()

    def serve(self) -> str:
        """Run jobs until idle, stopped or outdated; returns why it stopped."""
        with self.lock:
            if self.state == "starting":  # not if a stop came during the warm-up
                self.state = "ready"
            self.last_active = time.monotonic()
        while True:
            try:
                job = self.jobs.get(timeout=min(10.0, max(0.1, self._idle_left())))
            except queue.Empty:
                if proto.fingerprint(self.environ) != self.fp:  # sources edited, or a package installed
                    return "sources changed"
                with self.lock:
                    if self.state == "ready" and self._idle_left() <= 0:
                        self.state = "closing"
                        return f"idle for {self.idle_s:g} s"
                continue
            if job is None:
                return "asked to stop"
            try:
                self._run(job)
            except KeyboardInterrupt:  # a cancel that landed just outside main(); the job is over
                pass
            finally:
                self.current = None
                with self.lock:
                    self.runs += 1
                    self.last_active = time.monotonic()
                    if self.state == "busy":
                        self.state = "ready"

    def _idle_left(self) -> float:
        return self.idle_s - (time.monotonic() - self.last_active)

    # -- the accept thread --

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed: we are leaving
                return
            try:
                self._answer(conn)
            except Exception as e:  # one bad client must not stop the server
                log(f"request failed: {type(e).__name__}: {e}")
                conn.close()

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)  # a client that connects and says nothing cannot hold the door
        request = proto.recv_msg(conn)
        op = request.get("op") if isinstance(request, dict) else None
        if op == "status":
            with self.lock:
                info = {"pid": os.getpid(), "state": self.state, "idle_s": self.idle_s, "runs": self.runs,
                        "fingerprint": self.fp}
            proto.send_msg(conn, ["status", info])
        elif op == "stop":
            with self.lock:
                self.state = "closing"
            self.jobs.put(None)
            proto.send_msg(conn, ["bye"])
        elif op == "run" and request.get("fingerprint") != self.fp:
            proto.send_msg(conn, ["stale"])
            if proto.fingerprint(self.environ) != self.fp:  # our sources changed under us: make way
                with self.lock:
                    self.state = "closing"
                self.jobs.put(None)
        elif op == "run":
            with self.lock:
                accept, state = self.state == "ready", self.state
                if accept:
                    self.state = "busy"
            if not accept:  # "starting": the client tells its user why this run is not the quick one
                proto.send_msg(conn, ["busy", "starting"] if state == "starting" else ["busy"])
                conn.close()
                return
            try:
                proto.send_msg(conn, ["ok"])  # before queueing: "ok" must precede the job's frames
            except OSError:
                with self.lock:
                    self.state = "ready" if self.state == "busy" else self.state
                raise
            conn.settimeout(None)
            self.jobs.put(Job(conn, request))
            return
        conn.close()

    # -- jobs, in the main thread --

    def _run(self, job: Job) -> None:
        req = job.request
        try:
            argv = [str(a) for a in req["argv"]]
            out_tty, err_tty = (bool(x) for x in req["tty"])
            columns = int(req["columns"])
            unbuffered = bool(req.get("unbuffered"))
            umask, env = jobenv.parse(req)
            os.chdir(req["cwd"])
        except (OSError, KeyError, TypeError, ValueError):
            job.send(["decline"])  # the client runs it itself, as if there were no server
            self._finish(job)
            return
        encoding = sys.__stdout__.encoding if sys.__stdout__ else "utf-8"
        out = FrameWriter(job, "out", out_tty, out_tty, unbuffered, encoding)
        err = FrameWriter(job, "err", err_tty, True, unbuffered, encoding)
        saved = sys.stdout, sys.stderr, os.environ.get("COLUMNS")
        watcher = threading.Thread(target=self._watch, args=(job,), name="watch", daemon=True)
        watcher.start()
        rc = 1
        try:
            sys.stdout, sys.stderr = out, err
            os.environ["COLUMNS"] = str(columns)  # argparse's help fits the client's terminal
            # The client's umask, HOME, TMPDIR...; catch_warnings resets "already shown" so each
            # run shows its warnings, as a new process.
            with jobenv.applied(umask, env), warnings.catch_warnings():
                self.current = job
                # The watcher checks `current` after setting `gone`, we the other way round: a
                # client that left already is seen by one of us.
                rc = 130 if job.gone else call_main(argv)
                self.current = None
            out.flush()
            err.flush()
        finally:
            self.current = None  # first: from here on a late cancel is ignored (see on_sigint)
            sys.stdout, sys.stderr = saved[0], saved[1]
            if saved[2] is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = saved[2]
            os.chdir(self.home)
            # Ready before the client hears its exit status: its user's next command comes at once,
            # and must find the server free, not "busy" for the few lines of cleanup left here (a
            # job it accepts now waits in the queue until they are done).
            with self.lock:
                if self.state == "busy":
                    self.state = "ready"
            job.send(["exit", rc])
            self._finish(job)
            watcher.join(timeout=5.0)
            if job.cancelled:
                log(f"run {argv} cancelled: the client left")

    def _finish(self, job: Job) -> None:
        job.finished = True
        try:
            job.conn.shutdown(socket.SHUT_RDWR)  # wakes the watcher's recv
        except OSError:
            pass
        job.conn.close()

    def _watch(self, job: Job) -> None:
        """Wait for the client to close its end (it sends nothing after its request); cancel then."""
        try:
            job.conn.recv(1)
        except OSError:
            pass
        if job.finished:
            return
        job.gone = True
        if job is self.current:
            self.cancel = job
            _thread.interrupt_main()  # runs _on_sigint in the main thread, between bytecodes

    def on_sigint(self, signum, frame) -> None:
        # Only our own cancel sends this (the server has no terminal). Raise at most once per job,
        # and only while that job is the one running, never into the server's own bookkeeping.
        job = self.cancel
        if job is not None and job is self.current:
            self.cancel = None
            job.cancelled = True
            raise KeyboardInterrupt

    def on_sigterm(self, signum, frame) -> None:
        self.close()
        log("stopped: SIGTERM")
        os._exit(128 + signum)


def call_main(argv: list[str]) -> int:
    """``excitable argv`` as the command line runs it, with exit statuses as a process would have."""
    from excitable.interfaces.cli.main import main

    try:
        try:
            return main(argv)
        except SystemExit as e:  # argparse: --help, usage errors
            if e.code is None or isinstance(e.code, int):
                return e.code or 0
            print(e.code, file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("excitable: interrupted", file=sys.stderr)
            return 130
        except Exception:  # what Python would print before exiting with status 1
            traceback.print_exc()
            return 1
    except KeyboardInterrupt:  # the one cancel landed inside a handler above
        return 130


def warm_up(warm: dict | None) -> None:
    """Import what runs need, and run the command that started us once (its output discarded), so
    the programs it needs are traced and compiled before the next client asks."""
    import jax  # noqa: F401

    from excitable import experiments

    experiments.get("action-potential")
    if not warm:
        return
    argv, skip = [], False
    for a in warm["argv"]:  # without --out: the warm-up must write nothing
        if skip or a == "--out":
            skip = a == "--out"
            continue
        if not a.startswith("--out="):
            argv.append(a)
    saved, home = (sys.stdout, sys.stderr), os.getcwd()
    t0 = time.perf_counter()
    try:
        os.chdir(warm.get("cwd") or ".")  # relative paths in the command (--set swc=cell.swc)
        sys.stdout = sys.stderr = io.StringIO()
        with warnings.catch_warnings():
            rc = call_main(argv)
        log(f"warmed up with {argv} in {time.perf_counter() - t0:.2f} s (status {rc})")
    except Exception as e:
        log(f"warm-up failed: {type(e).__name__}: {e}")
    finally:
        sys.stdout, sys.stderr = saved
        os.chdir(home)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m excitable.interfaces.cli.server")
    ap.add_argument("--fingerprint", required=True, help="what the client computed; we must agree")
    ap.add_argument("--warm", help="JSON {argv, cwd}: a command to run once before serving")
    ap.add_argument("--lock-fd", type=int, help="the lock, already taken by the client that started us")
    args = ap.parse_args(argv)
    where = proto.paths()
    fp = proto.fingerprint()
    if where is None or fp != args.fingerprint:
        log(f"not starting: fingerprint {fp} != {args.fingerprint}, or no place for a socket")
        return 1
    # The lock decides which server serves a fingerprint; the kernel drops it when we die. A server
    # that is leaving may still hold it for a moment, hence the short wait.
    lock_fd = args.lock_fd if _is_open(args.lock_fd) else os.open(where["lock"], os.O_RDWR | os.O_CREAT, 0o600)
    if not proto.wait_until(lambda: _try_lock(lock_fd), 3.0):
        return 0  # another server serves (or is starting): nothing to do
    try:
        idle_s = float(os.environ.get("EXCITABLE_SERVER_IDLE", proto.DEFAULT_IDLE_S))
    except ValueError:
        idle_s = proto.DEFAULT_IDLE_S
    server = Server(fp, where, idle_s)
    # A server that waits in the background must not hold most of a GPU's memory (JAX reserves
    # 75 % of it up front by default): take memory as runs need it.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    signal.signal(signal.SIGINT, server.on_sigint)
    signal.signal(signal.SIGTERM, server.on_sigterm)
    why = "failed"
    try:
        server.listen()  # before the slow imports: a client that comes now hears "busy", runs itself
        log(f"listening on {where['sock']}")
        warm_up(json.loads(args.warm) if args.warm else None)
        why = server.serve()
    finally:
        server.close()
        log(f"stopped: {why}")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip the interpreter's slow teardown (JAX), as the command line does


def _is_open(fd: int | None) -> bool:
    try:
        return fd is not None and os.fstat(fd) is not None
    except OSError:
        return False


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
