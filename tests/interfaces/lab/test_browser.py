"""The lab's pages in headless Chromium (Debian's, driven by Playwright), against the real application
served by uvicorn on a free port of 127.0.0.1 in a thread of this process.

One browser for the module; every page's requests to any host but 127.0.0.1 are aborted and recorded
(none may be attempted), and every console error is recorded (none may occur). On the action-potential,
propagation, resting-potential and synaptic-transmission pages, a control moved with the keyboard
changes the plotted trace and the numbers; TTX abolishes the spike; the time cursor moves the membrane,
cable and synapse views, which draw the run's own state at that instant; a pinned run stays while the
next is drawn; the permalink restores the page; the exported script, run on its own, prints the page's
numbers; the ion page's formulas answer while the slider moves and agree with the server's. The
screenshots in docs/lab/ are made here.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("fastapi", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("uvicorn", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("playwright", reason="playwright is not installed (the dev extra)")

from excitable.units import FARADAY, GAS_CONSTANT, ZERO_CELSIUS  # noqa: E402
from tests.interfaces.conftest import CHROMIUM_ARGS  # noqa: E402

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
    """docs/lab/NAME.png: the window (or one element); the run's timing masked, so that a run of the
    tests rewrites the same bytes unless the page itself changed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)  # no hover label in the picture
    page.wait_for_timeout(100)
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(SHOTS / f"{name}.png"), mask=[page.locator("#status")], mask_color="#ffffff",
                      **({} if selector else {"full_page": False}))


def test_home_lists_every_experiment_in_the_tours_order(open_page, base_url):
    import httpx

    listing = httpx.get(f"{base_url}/api/experiments").json()
    page = open_page("/", wait_run=False)
    page.wait_for_selector("#home[aria-busy=false]")
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole list in one picture
    shown = page.eval_on_selector_all("#home li[data-name]", "items => items.map(i => i.dataset.name)")
    # by family (in the families' order), each family's questions in the tour's order
    families = [f["name"] for f in listing["families"]]
    assert shown == [e["name"] for f in families for e in listing["experiments"] if e["family"] == f]
    from excitable import experiments

    assert sorted(shown) == sorted(experiments.names())
    hrefs = page.eval_on_selector_all("#home li a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/x/{n}" for n in shown]
    shot(page, "home")


def test_action_potential_controls_ttx_cursor_pin_permalink(open_page, watch):
    page = open_page("/x/action-potential")
    v0, numbers0 = plotted(page, "v"), headline(page)

    # the stimulus slider, moved with the keyboard: a stronger pulse, an earlier spike
    before = runs(page)
    press(page, "#param-amplitude", "ArrowRight", 10)
    wait_idle(page, before)
    v1, numbers1 = plotted(page, "v"), headline(page)
    assert "amplitude=" in page.url
    assert max(abs(a - b) for a, b in zip(v0, v1)) > 1.0 and numbers1 != numbers0

    # the time cursor at the spike's peak: the membrane view draws m^3 h and n^4 of that sample
    run = payload(page)
    trace = {tr["label"]: tr["values"] for tr in run["traces"]}
    m, h, n = (next(v for k, v in trace.items() if k.endswith(f".{g}")) for g in "mhn")
    set_cursor(page, 0)
    at_rest = float(page.get_attribute("#membrane-svg", "data-na-open"))
    peak = max(range(len(v1)), key=v1.__getitem__)
    set_cursor(page, peak)
    drawn = page.evaluate("document.getElementById('membrane-svg').dataset")
    assert float(drawn["naOpen"]) == pytest.approx(m[peak] ** 3 * h[peak], rel=1e-9)  # the run's own state
    assert float(drawn["kOpen"]) == pytest.approx(n[peak] ** 4, rel=1e-9)
    assert float(drawn["v"]) == pytest.approx(v1[peak], rel=1e-9)
    assert float(drawn["naOpen"]) > 10 * at_rest  # Na+ channels open at the peak, not at rest
    shot(page, "action-potential")
    shot(page, "action-potential-membrane", "#membrane-view")

    # pin this run, then TTX: the spike is gone (V never overshoots 0 mV), the pinned spike stays drawn
    page.click("#pin")
    pinned = int(page.get_attribute("#plot", "data-pinned"))
    assert pinned > 0
    before = runs(page)
    page.click("#interventions button:text('TTX')")
    wait_idle(page, before)
    assert page.get_attribute("#interventions button:text('TTX')", "aria-pressed") == "true"
    assert max(plotted(page, "v")) < 0.0 < max(v1)
    assert int(page.get_attribute("#plot", "data-pinned")) == pinned
    pinned_v = page.evaluate("""() => document.getElementById('plot').data
        .find(d => d.legendgroup === 'pin0' && d.name.endsWith(': v')).y""")
    assert pinned_v == v1  # the control run, drawn as it was
    assert payload(page)["summary"]["n_spikes"] == 0

    check_a_bad_value(page, watch)
    check_exports_and_print(page)

    # the permalink restores the page: the same controls, TTX on, the same numbers
    url, numbers, amplitude = page.url, headline(page), page.input_value("input[name=amplitude-value]")
    assert "gNa_scale=0" in url
    again = open_page(url[url.index("/x/"):])
    assert headline(again) == numbers
    assert again.input_value("input[name=amplitude-value]") == amplitude
    assert again.get_attribute("#interventions button:text('TTX')", "aria-pressed") == "true"


def check_a_bad_value(page, watch) -> None:
    """A bad value: the server's one-line message beside its control; fixed, the message goes."""
    errors_before = page.evaluate("Number(document.getElementById('status').dataset.errors || 0)")
    page.fill("input[name=pulse-value]", "-1")
    page.press("input[name=pulse-value]", "Enter")
    page.wait_for_function(f"Number(document.getElementById('status').dataset.errors || 0) > {errors_before}",
                           timeout=RUN_TIMEOUT_MS)
    message = page.inner_text("#param-pulse-error")
    refused = [e for e in watch.errors if "status of 422" in e]  # Chromium logs every 4xx response
    assert len(refused) == 1
    watch.errors.remove(refused[0])
    assert "pulse" in message and "-1" in message and "\n" not in message.strip()
    page.fill("input[name=pulse-value]", "1")
    before = runs(page)
    page.press("input[name=pulse-value]", "Enter")
    wait_idle(page, before)
    assert not page.is_visible("#param-pulse-error")


def check_exports_and_print(page) -> None:
    """The data leave as they are drawn (CSV, JSON); printed, the page keeps figure and text."""
    with page.expect_download() as got:
        page.click("#export-csv")
    rows = Path(got.value.path()).read_text().splitlines()
    drawn = payload(page)
    assert rows[0].split(",")[0] == "t (ms)" and len(rows) == 1 + len(drawn["t"])
    assert [float(x) for x in rows[1].split(",")[1:]] == [tr["values"][0] for tr in drawn["traces"]]
    with page.expect_download() as got:
        page.click("#export-json")
    assert json.loads(Path(got.value.path()).read_text())["summary"] == drawn["summary"]

    # printed, the page keeps the figure, the numbers and the explanation, not the controls
    page.emulate_media(media="print")
    assert not page.is_visible("#controls") and page.is_visible("#plot") and page.is_visible("#mechanism")
    page.emulate_media(media="screen")


def test_propagation_diameter_moves_the_wave_and_the_electrodes(open_page):
    page = open_page("/x/propagation")
    far = page.evaluate("document.getElementById('plot').data.filter(d => d.legendgroup === 'now').at(-1).name")
    v0, numbers0 = plotted(page, far), headline(page)  # V at the far end: the wave arrives later
    before = runs(page)
    press(page, "#param-diameter_um", "ArrowLeft", 40)  # a thinner axon conducts more slowly
    wait_idle(page, before)
    v1, numbers1 = plotted(page, far), headline(page)
    assert max(abs(a - b) for a, b in zip(v0, v1)) > 1.0 and numbers1 != numbers0

    # the profile follows the cursor; a click on it places an electrode that records V(t) there
    st = payload(page)["space_time"]
    assert st is not None and len(st["x_um"]) >= 3
    set_cursor(page, len(payload(page)["t"]) // 3)
    t_profile = float(page.get_attribute("#cable-profile", "data-t"))
    assert t_profile == pytest.approx(payload(page)["t"][len(payload(page)["t"]) // 3], abs=max(
        b - a for a, b in zip(st["t_ms"], st["t_ms"][1:])))
    area = page.locator("#cable-profile .nsewdrag").first
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})  # scrolled into view first
    page.wait_for_selector("#electrode-list .chip")
    assert page.is_visible("#cable-electrodes")
    shot(page, "propagation")
    shot(page, "propagation-cable", "#cable-view")


def _ghk(p: dict) -> float:
    """The GHK voltage equation (mV), written here from its textbook form (Hille 2001, eq. 14.9)."""
    rt_f = 1e3 * GAS_CONSTANT * (ZERO_CELSIUS + p["temperature"]) / FARADAY
    return rt_f * math.log((p["pk"] * p["ko"] + p["pna"] * p["nao"] + p["pcl"] * p["cli"])
                           / (p["pk"] * p["ki"] + p["pna"] * p["nai"] + p["pcl"] * p["clo"]))


def test_resting_potential_answers_while_the_slider_moves(open_page):
    page = open_page("/x/resting-potential")
    trace0, numbers0 = plotted(page, payload(page)["traces"][0]["label"]), headline(page)
    ghk0 = float(page.get_attribute("#ions-view", "data-ghk"))
    before = runs(page)
    press(page, "#param-ko", "PageUp", 2)
    # before any run: the page's own closed form, with the values its controls show now
    values = {k: float(page.input_value(f"input[name={k}-value]"))
              for k in ("ki", "ko", "nai", "nao", "cli", "clo", "pk", "pna", "pcl", "temperature")}
    ghk1 = float(page.get_attribute("#ions-view", "data-ghk"))
    assert ghk1 > ghk0 + 1.0  # more K+ outside: depolarized
    assert ghk1 == pytest.approx(_ghk(values), abs=1e-6)  # float rounding of the same formula only
    page.wait_for_function(f"document.getElementById('ions-view').dataset.serverGhk !== undefined && "
                           f"Math.abs(Number(document.getElementById('ions-view').dataset.serverGhk) - {ghk1}) < 0.01",
                           timeout=30_000)  # the contract's agreement: 0.01 mV
    wait_idle(page, before)
    trace1 = plotted(page, payload(page)["traces"][0]["label"])
    assert abs(trace1[-1] - trace0[-1]) > 1.0 and headline(page) != numbers0
    shot(page, "resting-potential")
    shot(page, "resting-potential-formulas", "#ions-view")

    # a "try this" suggestion applies its changes: the control, the URL and the run follow
    suggestion = page.evaluate("window.excitableLab.exp.suggestions[0].changes")
    before = runs(page)
    page.click("#try-list button >> nth=0")
    wait_idle(page, before)
    for k, v in suggestion.items():
        assert float(page.input_value(f"input[name={k}-value]")) == v and f"{k}=" in page.url
        assert payload(page)["params"][k] == v
    assert_script_prints_the_pages_numbers(page)


def assert_script_prints_the_pages_numbers(page) -> None:
    """The page's exported Python script, run on its own, prints the summary the page shows."""
    script, shown = page.inner_text("#script"), payload(page)["summary"]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert out.returncode == 0, out.stderr[-2000:]
    printed = json.loads(out.stdout)
    assert printed.keys() == shown.keys()
    for k, x in shown.items():
        # both rounded to 6 significant digits (results.SUMMARY_DIGITS) from the same deterministic run
        if isinstance(x, float):
            assert math.isclose(printed[k], x, rel_tol=1e-5, abs_tol=1e-9), k
        else:
            assert printed[k] == x, k


def test_synaptic_transmission_gmax_and_the_synapse_view(open_page):
    page = open_page("/x/synaptic-transmission")
    post0, numbers0 = plotted(page, "v_post"), headline(page)
    before = runs(page)
    press(page, "#param-gmax", "ArrowRight", 5)
    wait_idle(page, before)
    post1 = plotted(page, "v_post")
    assert max(post1) > max(post0) + 0.1 and headline(page) != numbers0  # a stronger synapse, a larger PSP

    run = payload(page)
    trace = {tr["label"]: tr["values"] for tr in run["traces"]}
    cleft, open_ = trace["transmitter"], trace["open_fraction"]
    i = max(range(len(open_)), key=open_.__getitem__)
    set_cursor(page, 0)
    assert page.get_attribute("#synapse-svg", "data-dots") == "0"
    set_cursor(page, i)
    drawn = page.evaluate("document.getElementById('synapse-svg').dataset")
    assert int(drawn["open"]) == round(8 * open_[i])  # 8 receptors drawn, the open fraction of them open
    assert int(drawn["dots"]) == round(40 * cleft[i] / max(cleft))
    shot(page, "synaptic-transmission")
    shot(page, "synaptic-transmission-synapse", "#synapse-view")


def test_a_phone_reads_the_page_without_scrolling_sideways(open_page):
    page = open_page("/x/action-potential", width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    shot(page, "action-potential-phone")
