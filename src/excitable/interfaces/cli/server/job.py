"""One served run: the client's connection, and the streams that carry the run's output back to it.

The server process (``daemon``) runs one job at a time in its main thread; while it runs,
``sys.stdout``/``sys.stderr`` are ``FrameWriter``s, so what ``main(argv)`` prints reaches the client in
``["out", text]``/``["err", text]`` frames (``protocol``).
"""

from __future__ import annotations

import io
import socket
import threading

from excitable.interfaces.cli.server.protocol import send_msg


class Job:
    """One run for one client: its connection, request, and whether the client is still there."""

    def __init__(self, conn: socket.socket, request: dict):
        self.conn = conn
        self.request = request
        self.gone = False  # the client closed its end: nothing more is sent
        self.cancelled = False  # ... and the run was stopped for it
        self.finished = False
        self._send_lock = threading.Lock()  # frames from the progress bar's thread and the main one

    def send(self, value) -> None:
        with self._send_lock:
            if self.gone:
                return
            try:
                send_msg(self.conn, value)
            except OSError:
                self.gone = True


class FrameWriter(io.TextIOBase):
    """sys.stdout/sys.stderr during a job: text goes to the client in frames, buffered as Python
    buffers the client's streams (stderr by line, stdout by line on a terminal, else in 8 kB
    blocks; every write under ``python -u``), so stdout and stderr interleave as they would."""

    def __init__(self, job: Job, kind: str, tty: bool, line_buffered: bool, unbuffered: bool,
                 encoding: str = "utf-8"):
        self._job, self._kind, self._tty = job, kind, tty
        self._line, self._through = line_buffered, unbuffered
        self._buf: list[str] = []
        self._size = 0
        self._encoding = encoding

    @property
    def encoding(self) -> str:
        return self._encoding

    def isatty(self) -> bool:  # the client's terminal, so the progress bar shows where it would
        return self._tty

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._buf.append(text)
        self._size += len(text)
        if self._through or self._size >= 8192 or (self._line and "\n" in text):
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._buf:
            text, self._buf, self._size = "".join(self._buf), [], 0
            self._job.send([self._kind, text])
