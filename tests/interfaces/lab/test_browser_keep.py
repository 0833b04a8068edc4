"""The lab's pages in headless Chromium, continued (browser_kit.py: one server, one browser): what a
learner keeps and takes further. The permalink holds every parameter and restores the same numbers,
while switching the model still moves the values the learner did not set; pronase on the
action-potential page; the time cursor plays in slow motion and pauses; the figure leaves as PNG and
SVG, the data as CSV and JSON; the print view; an SWC file uploaded on the morphology page (drawn and
run; a malformed one and an oversize one refused beside the upload control); the sensitivity panel
shows /api/sensitivity's ranking.
"""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("fastapi", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("uvicorn", reason="the lab extra is not installed: pip install 'excitable[lab]'")
pytest.importorskip("playwright", reason="playwright is not installed (the dev extra)")

from tests.interfaces.lab.browser_kit import (RUN_TIMEOUT_MS, allow_refusals, base_url, browser,  # noqa: E402,F401
                                              fmt, headline, open_page, payload, plotted, press, runs,
                                              set_cursor, shot, wait_idle, watch)

#: The controls as the page shows them: name -> value (a switch: checked).
CONTROLS_JS = """() => Object.fromEntries(Array.from(document.querySelectorAll('#params [name]'))
    .map(i => [i.name, i.type === 'checkbox' ? i.checked : i.value]))"""


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def changed_marks(page) -> list[str]:
    return page.eval_on_selector_all("#params .control.changed", "cs => cs.map(c => c.dataset.param)")


def test_permalink_holds_every_parameter_and_the_model_still_moves_its_defaults(open_page):
    page = open_page("/x/action-potential")
    declared = [p["name"] for p in page.evaluate("window.excitableLab.exp.params")]
    own_temperature = payload(page)["summary"]["temperature_degC"]  # the textbook cell's own
    before = runs(page)
    press(page, "#param-amplitude", "ArrowRight", 4)
    wait_idle(page, before)
    amplitude = payload(page)["params"]["amplitude"]
    before = runs(page)
    page.select_option("#param-model", "hh")
    wait_idle(page, before)
    run = payload(page)
    # the squid axon's own temperature (HH 1952: 6.3 °C), the learner's stimulus kept
    assert run["summary"]["temperature_degC"] == 6.3 and run["params"]["amplitude"] == amplitude
    set_cursor(page, len(run["t"]) // 4)
    page.dispatch_event("#cursor-slider", "change")  # the cursor settles: its time goes into the URL

    # every declared parameter in the URL: the resolved values (temperature and a default stimulus are
    # the run's own choice, reported in its summary), what the learner set listed in `changed`
    q = query(page)
    assert set(declared) <= q.keys() and q["changed"] == "model,amplitude"
    assert float(q["temperature"]) == run["summary"]["temperature_degC"]
    for k in declared:
        if run["params"][k] is not None:
            assert q[k] == (str(run["params"][k]).lower() if isinstance(run["params"][k], bool)
                            else fmt_plain(run["params"][k])), k
    assert urlparse(page.url).fragment.startswith("t=")

    # opened, the permalink restores the same controls, marks, cursor and numbers (the same run)
    again = open_page(page.url[page.url.index("/x/"):])
    assert payload(again)["summary"] == run["summary"] and headline(again) == headline(page)
    assert again.evaluate(CONTROLS_JS) == page.evaluate(CONTROLS_JS)
    assert changed_marks(again) == changed_marks(page) == ["model", "amplitude"]
    assert again.inner_text("#cursor-time") == page.inner_text("#cursor-time")

    # switching back to the textbook cell: its own temperature again, not the squid's 6.3 from the link
    before = runs(again)
    again.select_option("#param-model", "textbook")
    wait_idle(again, before)
    assert payload(again)["summary"]["temperature_degC"] == own_temperature != 6.3
    assert payload(again)["params"]["amplitude"] == amplitude and query(again)["changed"] == "amplitude"

    # pronase (on the squid axon): the spike rises but never repolarizes; V ends the run on a plateau
    # above 0 mV (Armstrong, Bezanilla & Rojas 1973), where the control run was back near rest
    control_end = run["summary"]["v_end_mV"]
    before = runs(page)
    page.click("#interventions button:text('pronase')")
    wait_idle(page, before)
    s = payload(page)["summary"]
    assert page.get_attribute("#interventions button:text('pronase')", "aria-pressed") == "true"
    assert s["v_end_mV"] > 0.0 > control_end and s["duration_above_0mV_ms"] is None
    assert plotted(page, "v")[-1] == pytest.approx(s["v_end_mV"], abs=1e-3)  # drawn as measured
    assert "no_inactivation=true" in page.url
    assert page.inner_text("#answer").startswith("The spike never ends")  # the run's reason, as the answer
    shot(page, "action-potential-pronase")


def fmt_plain(x) -> str:
    """A value as JavaScript's String() writes it into the URL (20.0 -> "20")."""
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


#: [wall ms, the cursor's sample, the membrane view's data] at one instant.
NOW_JS = """() => [performance.now(), Number(document.getElementById('cursor-slider').value),
                   {...document.getElementById('membrane-svg').dataset}]"""


def test_the_cursor_plays_in_slow_motion_and_pauses(open_page):
    page = open_page("/x/action-potential")
    t = payload(page)["t"]
    onset = payload(page)["params"]["delay"]
    start = max(i for i, x in enumerate(t) if x <= onset - 0.2)  # just before the stimulus
    set_cursor(page, start)
    page.select_option("#cursor-speed", "1")  # slow motion: the whole run in 20 s
    v0 = float(page.get_attribute("#membrane-svg", "data-v"))
    page.click("#cursor-play")
    assert page.get_attribute("#cursor-play", "aria-pressed") == "true"
    t0 = page.evaluate(NOW_JS)
    page.wait_for_timeout(1200)
    t1 = page.evaluate(NOW_JS)  # the cursor and the membrane view read in one go, while it plays
    assert t1[1] > t0[1]  # it plays
    assert float(t1[2]["t"]) == t[t1[1]] and float(t1[2]["v"]) != v0  # the membrane view follows
    # slow motion: at most the run's span per 20 s of wall time; the cursor read at t0 may be a frame
    # old (1 s of slack for frames slowed by a busy machine), still well under normal speed's 5 s
    assert t[t1[1]] - t[t0[1]] <= (t[-1] - t[0]) * (t1[0] - t0[0] + 1000) / 20_000
    page.click("#cursor-play")  # pause
    assert page.get_attribute("#cursor-play", "aria-pressed") == "false"
    paused = page.input_value("#cursor-slider")
    page.wait_for_timeout(300)
    assert page.input_value("#cursor-slider") == paused


def test_exports_figure_and_data_and_the_print_view(open_page):
    page = open_page("/x/action-potential")
    drawn = payload(page)
    box = page.locator("#plot").bounding_box()

    with page.expect_download() as got:
        page.click("#export-png")
    png = Path(got.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    # the figure as drawn on the page, at twice its pixels (sharp when printed)
    assert struct.unpack(">II", png[16:24]) == (2 * round(box["width"]), 2 * round(box["height"]))

    with page.expect_download() as got:
        page.click("#export-svg")
    root = ET.fromstring(Path(got.value.path()).read_text())
    assert root.tag.endswith("svg")
    lines = [e for e in root.iter() if "js-line" in (e.get("class") or "")]
    names = {e.text for e in root.iter() if "legendtext" in (e.get("class") or "")}
    shown = page.evaluate("""() => document.getElementById('plot').data
        .filter(d => d.visible === true).map(d => d.name)""")
    assert len(lines) >= len(shown) and set(shown) <= names and "v" in names

    with page.expect_download() as got:
        page.click("#export-csv")
    rows = Path(got.value.path()).read_text(encoding="utf-8").splitlines()
    head = rows[0].split(",")
    assert head[0] == "t (ms)" and "v (mV)" in head and len(rows) == 1 + len(drawn["t"])
    assert any(h.endswith("(µA/cm²)") for h in head) and not any("uA" in h or "cm2" in h for h in head)
    assert [float(x) for x in rows[1].split(",")[1:]] == [tr["values"][0] for tr in drawn["traces"]]

    with page.expect_download() as got:
        page.click("#export-json")
    kept = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert kept["summary"] == drawn["summary"] and kept["params"] == drawn["params"]
    shown_numbers = page.eval_on_selector_all("#headline div[data-key]",
                                              "ds => ds.map(d => [d.dataset.key, d.querySelector('dd').textContent])")
    assert len(shown_numbers) == len(drawn["headline"]) > 0
    for key, text in shown_numbers:  # the page's numbers are the file's, as the page rounds them
        x = kept["summary"][key]
        assert text == "not measured" if x is None else text.split(" ")[0] == fmt(x), key

    # printed: the figure, the answer, the numbers and the explanation; no controls, cursor or buttons
    page.emulate_media(media="print")
    for hidden in ("#controls", "#compare", "#cursor", "#export .buttons"):
        assert not page.is_visible(hidden), hidden
    for kept_ in ("#plot", "#answer", "#headline", "#mechanism", "#script"):
        assert page.is_visible(kept_), kept_
    page.emulate_media(media="screen")


#: A small valid SWC: a soma and a dendrite that forks (type 1 soma, 3 dendrite; x y z radius parent).
SWC = "# a small cell\n1 1 0 0 0 10 -1\n2 3 10 0 0 1 1\n3 3 60 0 0 1 2\n4 3 110 20 0 0.8 3\n5 3 110 -20 0 0.8 3\n"


def test_an_uploaded_swc_is_drawn_and_run_and_bad_files_are_refused_beside_the_upload(open_page, watch):
    page = open_page("/x/morphology?swc=simple&tstop=20&pulse=10")  # a quick first run
    before = runs(page)
    page.set_input_files("#swc-file", files=[{"name": "my cell.swc", "mimeType": "text/plain",
                                              "buffer": SWC.encode()}])
    page.click("#upload button[type=submit]")
    wait_idle(page, before)
    run = payload(page)
    assert run["params"]["swc"].startswith("upload-") and f"swc={run['params']['swc']}" in page.url
    segments = run["morphology"]["segments"]
    assert page.locator("#morphology-svg line").count() == len(segments) > 0
    soma = plotted(page, "v")  # the soma's trace: the step at the dendrite depolarizes it
    assert len(soma) == len(run["t"]) and max(soma) > soma[0] + 1.0
    set_cursor(page, soma.index(max(soma)))  # the end of the step: the cell coloured by its depolarization
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "morphology-upload")
    shot(page, "morphology-upload-cell", "#morphology-view")

    # malformed (line 4, after the comment): the parser's one line, with the name and the line number,
    # beside the upload control
    bad = SWC.replace("3 3 60 0 0 1 2", "3 3 sixty 0 0 1 2")
    page.set_input_files("#swc-file", files=[{"name": "bad.swc", "mimeType": "text/plain", "buffer": bad.encode()}])
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#upload #swc-error:not([hidden])")
    message = page.inner_text("#swc-error").strip()
    assert "bad.swc line 4" in message and "sixty" in message and "\n" not in message
    allow_refusals(watch, 1, 422)

    # over the lab's 2 MB: refused before it is parsed, said in one line; nothing ran
    big = SWC + "# padding\n" * 230_000  # 2.3 MB
    page.set_input_files("#swc-file", files=[{"name": "big.swc", "mimeType": "text/plain", "buffer": big.encode()}])
    page.click("#upload button[type=submit]")
    page.wait_for_function("document.getElementById('swc-error').textContent.includes('limit')")
    message = page.inner_text("#swc-error").strip()
    assert "2 MB" in message and "\n" not in message
    allow_refusals(watch, 1, 413)
    assert runs(page) == before + 1 and payload(page)["params"]["swc"] == run["params"]["swc"]


def test_the_sensitivity_panel_shows_the_servers_ranking(open_page, base_url):
    import httpx

    page = open_page("/x/resting-potential")
    page.click("#sens-run")
    page.wait_for_selector("#sens-table tr[data-param]", timeout=RUN_TIMEOUT_MS)
    table = page.eval_on_selector_all("#sens-table tr[data-param]", """rs => rs.map(r =>
        [r.dataset.param, r.cells[1].textContent.trim(), r.cells[2].textContent.trim()])""")
    asked = {"params": page.evaluate("window.excitableLab.request()"),
             "target": page.input_value("#sens-target")}
    served = httpx.post(f"{base_url}/api/sensitivity/resting-potential", json=asked, timeout=300).json()
    # the same rows in the same order (by |relative sensitivity|), each number as the page rounds it
    assert [row[0] for row in table] == [r["param"] for r in served["rows"]]
    for (_, grad, fd), r in zip(table, served["rows"]):
        assert grad == fmt(r["relative"]) and fd == fmt(r["finite_difference"])
    assert abs(served["rows"][0]["relative"]) >= abs(served["rows"][-1]["relative"])
    shot(page, "resting-potential-sensitivity", "#sensitivity")
