"""What the lab's browser tests share (test_browser.py, test_browser_keep.py): the real application
served by uvicorn on a free port of 127.0.0.1 in a thread of the test process, one headless Chromium
(Debian's, driven by Playwright) per module, a page opener that aborts and records every request to
another host and records every console error (none may occur), and small helpers that read a page.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.interfaces.conftest import CHROMIUM_ARGS

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "lab"
#: A run on a cold server compiles its program first: minutes on 2 busy cores, seconds when warm.
RUN_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def base_url():
    """The lab application served on a free port of 127.0.0.1 (uvicorn in a thread)."""
    import uvicorn

    from excitable.interfaces.lab.app import create_app
    from excitable.interfaces.lab.runner import Runner

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Runner(workers=2, time_limit_s=600)), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the lab did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


class Watch:
    """What the pages did that they must not: console errors, requests that left 127.0.0.1."""

    def __init__(self):
        self.errors: list[str] = []
        self.outside: list[str] = []


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def watch():
    return Watch()


@pytest.fixture()
def open_page(browser, base_url, watch):
    """open_page(path, width=1280) -> a Playwright page at the lab's ``path``, its first run drawn."""
    contexts = []

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            watch.outside.append(url)
            r.abort()

    def open_(path: str, width: int = 1280, wait_run: bool = True):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        contexts.append(ctx)
        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: watch.errors.append(f"{path}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"{path}: {e}"))
        page.goto(base_url + path, wait_until="load")
        if wait_run:
            wait_idle(page, 0)
        return page

    yield open_
    for ctx in contexts:
        ctx.close()
    assert not watch.outside, f"requests left 127.0.0.1: {watch.outside[:5]}"
    assert not watch.errors, f"console errors: {watch.errors[:5]}"


def runs(page) -> int:
    return page.evaluate("Number(document.getElementById('status').dataset.runs || 0)")


def wait_idle(page, before: int) -> None:
    """Waits until a run newer than the ``before``-th has been drawn and none is waiting or running."""
    page.wait_for_function(
        f"""() => {{ const s = document.getElementById('status');
                   return Number(s.dataset.runs || 0) > {before} && s.dataset.state === 'idle'; }}""",
        timeout=RUN_TIMEOUT_MS)


def plotted(page, label: str) -> list[float]:
    """The values of the present run's trace ``label`` as the figure draws them."""
    return page.evaluate("""label => document.getElementById('plot').data
        .find(d => d.legendgroup === 'now' && d.name === label).y""", label)


def payload(page) -> dict:
    return page.evaluate("window.excitableLab.payload")


def headline(page) -> str:
    return page.inner_text("#headline")


def press(page, selector: str, key: str, times: int = 1) -> None:
    page.focus(selector)
    for _ in range(times):
        page.keyboard.press(key)


def set_cursor(page, index: int) -> None:
    page.evaluate("""i => { const s = document.getElementById('cursor-slider'); s.value = i;
                            s.dispatchEvent(new Event('input')); }""", index)


def shot(page, name: str, selector: str | None = None) -> None:
    """docs/lab/NAME.png: the window (or one element); the run's timings masked, so that a run of the
    tests rewrites the same bytes unless the page itself changed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)  # no hover label in the picture
    page.wait_for_timeout(100)
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(SHOTS / f"{name}.png"), mask=[page.locator("#status, #sens-elapsed")],
                      mask_color="#ffffff",
                      **({} if selector else {"full_page": False}))


def fmt(x) -> str:
    """A number as the pages print it (util.js ``fmt``): 4 significant digits (JavaScript's
    toPrecision / toExponential), a true minus sign; booleans as yes/no."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    a = abs(x)
    if a != 0 and (a >= 1e5 or a < 1e-3):
        mantissa, exponent = f"{x:.3e}".split("e")
        s = f"{mantissa}e{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent))}"
    else:
        s = repr(float(f"{x:.4g}"))
        s = s[:-2] if s.endswith(".0") else s
    return "−" + s[1:] if s.startswith("-") else s


def allow_refusals(watch, n: int, status: int) -> None:
    """Chromium logs each 4xx response as a console error: the ``n`` refusals a test provoked on purpose
    (status ``status``) are taken off the record; any other error stays and fails the test."""
    refused = [e for e in watch.errors if f"status of {status}" in e]
    assert len(refused) == n, refused
    for e in refused:
        watch.errors.remove(e)
