"""The warm server: served runs print what in-process runs print, import no JAX, and fall back.

One server for the module, in a private directory with its own JAX cache (so these tests do not
depend on, or touch, the caches in the home directory). Every run is a fresh ``python -m
excitable.interfaces.cli`` process; ``-X importtime`` lists what the client imported, which tells
a served run (no JAX) from one that ran in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the warm server needs Unix sockets")

CLI = ["-m", "excitable.interfaces.cli"]
HEAVY = ("jax", "jaxlib", "numpy")


def cli(env, *args, cwd=None, importtime=False, timeout=300, umask=-1) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, *CLI, *args], capture_output=True, env=env, cwd=cwd,
                          timeout=timeout, umask=umask)


def split_imports(stderr: bytes) -> tuple[bytes, set[str]]:
    """(stderr without -X importtime's lines, the top-level packages imported)."""
    rest, packages = [], set()
    for line in stderr.decode().splitlines(keepends=True):
        if line.startswith("import time:"):
            packages.add(line.rsplit("|", 1)[1].strip().split(".")[0])
        else:
            rest.append(line)
    return "".join(rest).encode(), packages


def served(proc: subprocess.CompletedProcess) -> bool:
    """Whether the run happened on the server (the client imported none of JAX and NumPy)."""
    _, packages = split_imports(proc.stderr)
    assert packages, "run with importtime=True"
    return not packages & set(HEAVY)


def status(env) -> str:
    return cli(env, "server", "status", timeout=60).stdout.decode()


def wait_for(predicate, timeout: float) -> bool:
    t_end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > t_end:
            return False
        time.sleep(0.2)
    return True


@pytest.fixture(scope="module")
def env():
    # A short directory: a Unix socket's path must fit in ~100 bytes, pytest's tmp_path may not.
    d = tempfile.mkdtemp(prefix="exs")
    env = {**os.environ, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": d, "EXCITABLE_SERVER_IDLE": "300",
           "MPLBACKEND": "Agg", "JAX_COMPILATION_CACHE_DIR": os.path.join(d, "jax")}
    start = cli(env, "server", "start", timeout=180)
    assert start.returncode == 0 and "(ready)" in start.stdout.decode(), start
    yield env
    cli(env, "server", "stop", timeout=60)
    shutil.rmtree(d, ignore_errors=True)


def test_served_run_prints_what_in_process_prints_and_imports_no_jax(env):
    local = cli({**env, "EXCITABLE_SERVER": "0"}, "run", "action-potential", "--json")
    assert local.returncode == 0, local.stderr
    commands = [[*CLI]]
    script = Path(sys.executable).with_name("excitable")  # the console script, as users run it
    if script.exists():
        commands.append([str(script)])
    for command in commands:
        proc = subprocess.run([sys.executable, "-X", "importtime", *command, "run", "action-potential",
                               "--json"], capture_output=True, env=env, timeout=300)
        assert proc.returncode == 0
        assert proc.stdout == local.stdout  # byte for byte
        assert split_imports(proc.stderr)[0] == local.stderr
        assert served(proc), f"{command} ran in-process"
    assert json.loads(local.stdout)["n_spikes"] == 1


@pytest.mark.parametrize("args", [["run", "action-potential", "--set", "amplitude=abc"],
                                  ["run", "no-such-experiment"],
                                  ["run", "action-potential", "--bogus"],
                                  ["run", "action-potential", "--params"]])
def test_errors_and_exit_status_come_through(env, args):
    local = cli({**env, "EXCITABLE_SERVER": "0"}, *args)
    proc = cli(env, *args, importtime=True)
    assert served(proc)
    assert (proc.returncode, proc.stdout, split_imports(proc.stderr)[0]) == \
        (local.returncode, local.stdout, local.stderr)
    if "--params" not in args:
        assert proc.returncode == 2 and len(split_imports(proc.stderr)[0].decode().strip().splitlines()) == 1
        assert b"Traceback" not in proc.stderr


def test_out_is_relative_to_the_clients_directory(env, tmp_path):
    proc = cli(env, "run", "action-potential", "--set", "tstop=10", "--out", "rel", cwd=tmp_path,
               importtime=True)
    assert proc.returncode == 0, proc.stderr
    assert served(proc)
    for name in ("summary.json", "traces.csv", "figure.png", "figure.svg"):
        assert (tmp_path / "rel" / name).stat().st_size > 100
    assert b"wrote rel/summary.json" in proc.stdout


def test_served_files_get_the_clients_umask(env, tmp_path):
    # Both masks, so one differs from the server's own (its first client's) whatever that is.
    for umask, file_mode, dir_mode in ((0o077, 0o600, 0o700), (0o022, 0o644, 0o755), (0o077, 0o600, 0o700)):
        out = tmp_path / f"r{umask:03o}-{len(list(tmp_path.iterdir()))}"
        proc = cli(env, "run", "action-potential", "--set", "tstop=10", "--out", out.name, cwd=tmp_path,
                   importtime=True, umask=umask)
        assert proc.returncode == 0 and served(proc), proc.stderr
        assert out.stat().st_mode & 0o777 == dir_mode
        assert {f.name: f.stat().st_mode & 0o777 for f in out.iterdir()} == \
            dict.fromkeys(["summary.json", "traces.csv", "figure.png", "figure.svg"], file_mode)


def test_the_client_sends_its_umask_and_environment(tmp_path):
    # A stand-in server that records the request and answers "busy": the client then runs itself.
    from excitable.interfaces.cli.server import protocol

    d = tempfile.mkdtemp(prefix="exs")
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    env = {**os.environ, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": d, "MPLBACKEND": "Agg",
           "HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache"), "TZ": "UTC"}
    where = protocol.paths(env)
    fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fake.bind(where["sock"])
    fake.listen(1)
    requests = []

    def answer():
        conn, _ = fake.accept()
        with conn:
            requests.append(protocol.recv_msg(conn))
            protocol.send_msg(conn, ["busy"])

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        proc = cli(env, "run", "action-potential", "--params", umask=0o027)
        thread.join(timeout=60)
        assert proc.returncode == 0
    finally:
        fake.close()
        shutil.rmtree(d, ignore_errors=True)
    [request] = requests
    assert request["umask"] == 0o027
    assert {k: request["env"].get(k) for k in ("HOME", "TMPDIR", "XDG_CACHE_HOME", "TZ")} == \
        {"HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache"), "TZ": "UTC"}
    assert not {"PATH", "EXCITABLE_SERVER_DIR", "MPLBACKEND"} & set(request["env"])  # not per job


def test_a_job_runs_with_its_clients_umask_and_environment_and_the_servers_come_back(tmp_path,
                                                                                      monkeypatch):
    # The server's job runner, in this process, with main() replaced by a probe of what it sees.
    import tempfile as tempfile_module

    from excitable.interfaces.cli.server import daemon, protocol
    from excitable.interfaces.cli.server.job import Job

    seen = []

    def probe(argv):
        umask = os.umask(0)
        os.umask(umask)
        seen.append({"umask": umask, "cwd": os.getcwd(), "tmp": tempfile_module.gettempdir(),
                     "home": os.path.expanduser("~"), "xdg": os.environ.get("XDG_CACHE_HOME"),
                     "path": os.environ.get("PATH")})
        print("probed")
        return 3

    monkeypatch.setattr(daemon, "call_main", probe)
    runner = daemon.Server("0" * 16, {}, 60.0)
    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    mask = os.umask(0o022)
    os.umask(mask)
    before = (dict(os.environ), tempfile_module.gettempdir(), os.getcwd(), mask)
    jobs = [(0o077, {"HOME": str(tmp_path / "h1"), "TMPDIR": str(tmp_path / "t1"),
                     "XDG_CACHE_HOME": str(tmp_path / "c1")}),
            (0o002, {"HOME": str(tmp_path / "h2"), "TMPDIR": str(tmp_path / "t2")})]
    for umask, client_env in jobs:
        ours, theirs = socket.socketpair()
        job = Job(ours, {"argv": ["run"], "tty": [False, False], "columns": 80, "cwd": str(tmp_path),
                                 "umask": umask, "env": client_env})
        runner._run(job)
        frames = []
        while (frame := protocol.recv_msg(theirs)) is not None:
            frames.append(frame)
        theirs.close()
        assert frames == [["out", "probed\n"], ["exit", 3]]
    assert seen == [{"umask": 0o077, "cwd": str(tmp_path), "tmp": str(tmp_path / "t1"),
                     "home": str(tmp_path / "h1"), "xdg": str(tmp_path / "c1"), "path": os.environ.get("PATH")},
                    {"umask": 0o002, "cwd": str(tmp_path), "tmp": str(tmp_path / "t2"),
                     "home": str(tmp_path / "h2"), "xdg": None, "path": os.environ.get("PATH")}]
    mask = os.umask(0o022)
    os.umask(mask)
    assert (dict(os.environ), tempfile_module.gettempdir(), os.getcwd(), mask) == before  # the server's again


@pytest.mark.parametrize("bad", [{"umask": "077"}, {"umask": 0o1777}, {"env": {"PATH": "/x"}},
                                 {"env": {"HOME": 1}}, {"env": ["HOME"]}, {"env": {"HOME": "a\0b"}}])
def test_a_request_with_a_bad_umask_or_environment_is_declined(bad, monkeypatch):
    from excitable.interfaces.cli.server import daemon, protocol
    from excitable.interfaces.cli.server.job import Job

    monkeypatch.setattr(daemon, "call_main", lambda argv: pytest.fail("ran a malformed request"))
    ours, theirs = socket.socketpair()
    request = {"argv": ["run"], "tty": [False, False], "columns": 80, "cwd": os.getcwd(), "umask": 0o022,
               "env": {}, **bad}
    daemon.Server("0" * 16, {}, 60.0)._run(Job(ours, request))
    assert protocol.recv_msg(theirs) == ["decline"]  # the client runs it itself
    theirs.close()


STARTING_NOTE = b"excitable: the warm server is still starting; running here this time"


def stand_in_env(d):
    return {**os.environ, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": d, "MPLBACKEND": "Agg"}


@pytest.mark.parametrize("reply, noted", [(["busy", "starting"], True), (["busy"], False)])
def test_a_starting_server_is_said_in_one_line_and_the_run_goes_on_here(reply, noted):
    # issue 16: right after the first run, the second ran in-process beside the server's warm-up
    # (seconds, where the README promises ~0.05 s) and said nothing.
    from excitable.interfaces.cli.server import protocol

    d = tempfile.mkdtemp(prefix="exs")
    env = stand_in_env(d)
    fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fake.bind(protocol.paths(env)["sock"])
    fake.listen(1)

    def answer():
        conn, _ = fake.accept()
        with conn:
            protocol.recv_msg(conn)
            protocol.send_msg(conn, reply)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        t0 = time.monotonic()
        proc = cli(env, "run", "action-potential", "--params")
        thread.join(timeout=60)
    finally:
        fake.close()
        shutil.rmtree(d, ignore_errors=True)
    assert proc.returncode == 0 and proc.stdout.startswith(b"action-potential: "), proc
    assert (STARTING_NOTE in proc.stderr) == noted, proc.stderr
    assert proc.stderr.count(b"\n") == int(noted)  # one line, or nothing
    assert time.monotonic() - t0 < 30  # no waiting for the server


def test_a_server_starting_before_it_listens_is_noted_and_not_started_twice():
    # The lock is held (by us here: a server importing before it listens) and no socket exists yet.
    import fcntl

    from excitable.interfaces.cli.server import protocol

    d = tempfile.mkdtemp(prefix="exs")
    env = stand_in_env(d)
    where = protocol.paths(env, create=True)
    fd = os.open(where["lock"], os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = cli(env, "run", "action-potential", "--params")
        assert proc.returncode == 0 and STARTING_NOTE in proc.stderr, proc
        time.sleep(1.0)
        assert not os.path.exists(where["log"])  # it started no second server
    finally:
        os.close(fd)
        shutil.rmtree(d, ignore_errors=True)


def test_the_run_right_after_the_first_is_served_or_says_the_server_is_starting(env):
    # The first run hands the server's lock to the server it starts: the next client, however soon,
    # sees a server starting (never "none", which ran silently and started a second one).
    d = tempfile.mkdtemp(prefix="exs")
    fresh = {**env, "EXCITABLE_SERVER_DIR": d}  # its own server; the module's JAX cache
    args = ["run", "action-potential", "--json", "--set", "tstop=10"]
    try:
        first = cli(fresh, *args, importtime=True)
        assert first.returncode == 0 and not served(first)
        second = cli(fresh, *args, importtime=True)
        assert second.returncode == 0 and second.stdout == first.stdout
        assert served(second) or STARTING_NOTE in second.stderr, second.stderr[-2000:]
        assert wait_for(lambda: "(ready)" in status(fresh), 120), status(fresh)
        log = next(line.split()[1] for line in status(fresh).splitlines() if line.strip().startswith("log"))
        assert Path(log).read_text().count("listening on") == 1  # one server started, not two
    finally:
        cli(fresh, "server", "stop", timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def test_another_fingerprint_runs_in_process_then_gets_its_own_server(env):
    other = {**env, "EXCITABLE_FOO": "1"}  # EXCITABLE_* variables are part of the fingerprint
    args = ["run", "action-potential", "--json", "--set", "tstop=10"]
    first = cli(other, *args, importtime=True)
    assert first.returncode == 0 and not served(first)
    try:  # ... and it started a server for its fingerprint in the background
        assert wait_for(lambda: "(ready)" in status(other), 120), status(other)
        again = cli(other, *args, importtime=True)
        assert served(again) and again.stdout == first.stdout
        sock = next(line.split()[1] for line in status(other).splitlines() if "socket" in line)
        assert sock not in status(env)  # a different server
    finally:
        stop = cli(other, "server", "stop", timeout=60)
    assert stop.returncode == 0 and "stopped" in stop.stdout.decode(), stop
    assert not os.path.exists(sock)
    assert "not running" in status(other)
    assert "(ready)" in status(env)  # the module's server is untouched


def test_busy_server_lets_a_second_client_run_in_process_and_ctrl_c_cancels(env):
    # ~4 million steps: ~15 s if it ran to the end; the cancel stops it at the next chunk.
    args = ["run", "action-potential", "--json", "--set", "tstop=100000"]
    long = subprocess.Popen([sys.executable, *CLI, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: "(busy)" in status(env) or long.poll() is not None, 120)
        assert long.poll() is None, long.communicate()
        second = cli(env, "run", "action-potential", "--json", "--set", "tstop=10", importtime=True)
        assert second.returncode == 0 and not served(second)  # busy: it ran here
        assert json.loads(second.stdout)["n_spikes"] == 1
        long.send_signal(signal.SIGINT)
        out, err = long.communicate(timeout=60)
        assert long.returncode == 130 and err.decode().endswith("excitable: interrupted\n"), err
        assert out == b""
    finally:
        if long.poll() is None:
            long.kill()
    assert wait_for(lambda: "(ready)" in status(env), 120)
    log = next(line.split()[1] for line in status(env).splitlines() if line.strip().startswith("log"))
    assert "cancelled: the client left" in Path(log).read_text()


def test_disabled_means_in_process_and_no_server():
    d = tempfile.mkdtemp(prefix="exs")
    try:
        env = {**os.environ, "EXCITABLE_SERVER": "off", "EXCITABLE_SERVER_DIR": d, "MPLBACKEND": "Agg"}
        proc = cli(env, "run", "action-potential", "--json", "--set", "tstop=10", importtime=True)
        assert proc.returncode == 0 and not served(proc)
        time.sleep(0.5)
        assert os.listdir(d) == []  # nothing started, not even a log
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_a_refused_run_starts_no_server():
    # A bad --set is answered in milliseconds without JAX; a server would load JAX for nothing.
    d = tempfile.mkdtemp(prefix="exs")
    try:
        env = {**os.environ, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": d, "MPLBACKEND": "Agg"}
        proc = cli(env, "run", "action-potential", "--set", "amplitude=abc", importtime=True)
        assert proc.returncode == 2
        assert not {"jax", "jaxlib"} & split_imports(proc.stderr)[1]  # refused from the declaration
        time.sleep(0.5)
        assert os.listdir(d) == []  # no server started, not even a log
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_a_server_that_breaks_the_protocol_does_not_break_the_command():
    from excitable.interfaces.cli.server import protocol

    d = tempfile.mkdtemp(prefix="exs")
    env = {**os.environ, "EXCITABLE_SERVER": "1", "EXCITABLE_SERVER_DIR": d, "EXCITABLE_SERVER_IDLE": "5",
           "MPLBACKEND": "Agg"}
    where = protocol.paths(env)  # the client's socket (same interpreter, sources and variables)
    fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fake.bind(where["sock"])
    fake.listen(1)

    def answer():  # accepts the run, then dies in the middle of a frame
        conn, _ = fake.accept()
        with conn:
            protocol.recv_msg(conn)
            protocol.send_msg(conn, ["ok"])
            conn.sendall(b"\0\0\1")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        proc = cli(env, "run", "action-potential", "--json", "--set", "tstop=10", importtime=True)
        thread.join(timeout=60)
        assert proc.returncode == 0 and not served(proc)  # ran here instead
        assert json.loads(proc.stdout)["n_spikes"] == 1
    finally:
        fake.close()
        # It also started a real server (this one was no good): stop it once it is up.
        wait_for(lambda: "(ready)" in status(env), 60)
        cli(env, "server", "stop", timeout=60)
        shutil.rmtree(d, ignore_errors=True)
