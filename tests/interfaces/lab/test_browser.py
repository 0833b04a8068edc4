"""The lab's pages in headless Chromium (Debian's, driven by Playwright), against the real application
served by uvicorn on a free port of 127.0.0.1 in a thread of this process.

One browser for the module; every page's requests to any host but 127.0.0.1 are aborted and recorded
(none may be attempted), and every console error is recorded (none may occur). On the action-potential,
propagation, resting-potential and synaptic-transmission pages, a control moved with the keyboard
changes the plotted trace and the numbers; TTX abolishes the spike; the time cursor moves the membrane,
cable and synapse views, which draw the run's own state at that instant; a pinned run stays while the
next is drawn; the permalink restores the page; the exported script, run on its own, prints the page's
numbers; the ion page's formulas answer while the slider moves and agree with the server's; on a phone
the answer and the figure come before the controls. The server, browser and helpers are browser_kit's;
more pages in test_browser_keep.py. The screenshots in docs/lab/ are made here and there.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

pytest.importorskip("fastapi", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("uvicorn", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("playwright", reason="playwright is not installed (the dev extra)")

from excitable.units import FARADAY, GAS_CONSTANT, ZERO_CELSIUS  # noqa: E402
from tests.interfaces.lab.browser_kit import (RUN_TIMEOUT_MS, allow_refusals, base_url, browser,  # noqa: E402,F401
                                              headline, open_page, payload, plotted, press, runs, set_cursor,
                                              shot, wait_idle, watch)


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
    allow_refusals(watch, 1, 422)
    assert "pulse" in message and "-1" in message and "\n" not in message.strip()
    page.fill("input[name=pulse-value]", "1")
    before = runs(page)
    page.press("input[name=pulse-value]", "Enter")
    wait_idle(page, before)
    assert not page.is_visible("#param-pulse-error")


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


FIRST_CONTROL = "#controls :is(button, input, select)"


def top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_a_phone_reads_the_answer_and_the_figure_first(open_page):
    # 400 px: one column, nothing wider than the screen; the question, the plain answer and the figure
    # come before the first control (issue 17: "on a phone the answer should come first")
    page = open_page("/x/action-potential", width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert top(page, "#question") < top(page, "#answer") < top(page, "#plot") < top(page, FIRST_CONTROL)
    assert page.inner_text("#answer").strip()
    shot(page, "action-potential-phone")
    assert top(page, "#plot") < 900 - 300  # the first screen (900 px tall) shows 300 px of the figure
    # 1280 px: the controls in their column on the left, beside the answer (from its top) and the figure
    page.set_viewport_size({"width": 1280, "height": 900})
    controls, answer = page.locator("#controls").bounding_box(), page.locator("#answer").bounding_box()
    plot = page.locator("#plot").bounding_box()
    assert controls["x"] + controls["width"] <= min(answer["x"], plot["x"])
    assert controls["y"] <= answer["y"] and top(page, FIRST_CONTROL) < plot["y"]

    # the same order on a page with other views (the ion page: its formulas follow the controls)
    page = open_page("/x/resting-potential", width=400)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert top(page, "#answer") < top(page, "#plot") < top(page, FIRST_CONTROL) < top(page, "#ions-view")
    shot(page, "resting-potential-phone")
