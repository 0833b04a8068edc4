"""excitable lab: every experiment live in the browser (a local web app; docs/lab-api.md).

  excitable lab [--host 127.0.0.1] [--port 0] [--no-browser] [--workers 2]

Starts the lab's server (FastAPI under uvicorn) on 127.0.0.1 and a free port unless --port is given,
prints the URL and opens it in the default browser; Ctrl-C stops it. ``--host 0.0.0.0`` serves a
classroom (a warning says that the lab is then reachable from the network). The lab is an optional
extra: without it, one line says what to install.
"""

from __future__ import annotations

import argparse
import sys

INSTALL = "pip install 'excitable[lab]'"


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``lab`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("lab", help="every experiment live in the browser (a local web app)",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0: a class)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--workers", type=int, default=2, help="simulations run at once (default 2)")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                   help="seconds a request may take before it is answered 504 (default 60)")
    p.add_argument("--no-warm", action="store_true", help="do not compile the first pages at start")
    return p


def _missing() -> str | None:
    import importlib.util

    for module in ("fastapi", "uvicorn", "plotly"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module hidden as None in sys.modules
            found = False
        if not found:
            return module
    return None


def _listen(host: str, port: int):
    """A bound, listening socket (port 0: the system picks a free one); one line if it cannot be."""
    import socket

    from excitable.errors import ModelError

    if not 0 <= port <= 65535:
        raise ModelError(f"--port must be 0..65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise ModelError(f"--host {host} --port {port}: cannot listen there ({e.strerror or e})") from None
    return sock


def run(args) -> int:
    """Serve the lab until Ctrl-C (or SIGTERM)."""
    from excitable.errors import ModelError

    missing = _missing()
    if missing is not None:
        raise ModelError(f"excitable lab needs {missing}: {INSTALL}")
    if args.workers < 1:
        raise ModelError(f"--workers must be >= 1, got {args.workers}")
    if not args.time_limit > 0:
        raise ModelError(f"--time-limit must be > 0, got {args.time_limit}")
    import uvicorn

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.runner import Runner

    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown}:{port}/"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"excitable lab: warning: listening on {args.host}: the lab is reachable from the network "
              f"(anyone who can reach this computer can run simulations on it)", file=sys.stderr)
    app = create_app(Runner(workers=args.workers, time_limit_s=args.time_limit), warm=not args.no_warm)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    print(f"excitable lab: {url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        _open_later(url)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the signal it handled after a clean shutdown
        pass
    finally:
        app.state.runner.close()
        sock.close()
    print("excitable lab: stopped", file=sys.stderr)
    return 0


def _open_later(url: str) -> None:
    """Open ``url`` in the default browser once the server listens (the socket already does)."""
    import threading
    import webbrowser

    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
