"""excitable tour: order of the questions, one self-contained HTML page, error sections, exit status.

The browser test runs three real experiments with their quick settings, in two worker processes, and
opens the page in headless Chromium (Debian's, driven by Playwright), on a desktop and on a 400-px-wide
phone: every figure must decode, one per experiment, at nearly the phone's full width and full size
once clicked; every section opens with its plain answer and has the mechanism in full; units are
written with µ and ²; nothing scrolls sideways, nothing is logged as an error and nothing is loaded
from outside the file.
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from excitable import experiments
from excitable.errors import ModelError
from excitable.experiments.base import Experiment, Param
from excitable.interfaces.cli.main import main
from excitable.results import Result
from excitable.interfaces.tour import order
from excitable.interfaces.tour.phenomena import ORDER, PHENOMENA
from excitable.experiments.base import Headline, Suggestion
from excitable.interfaces.tour.text import (format_value, input_rows, lab_path, mechanism, output_rows, readable,
                                            split_key)
from excitable.interfaces.tour.timing import SECONDS, estimate_line, longest_first, makespan

TABLE = Path(__file__).resolve().parents[3] / "docs" / "phenomena.md"  # the project's own doc


def test_order_follows_the_phenomena_table_unknown_last():
    assert order(["morphology", "myelination", "propagation", "resting-potential", "zzz-new"]) == \
        ["resting-potential", "propagation", "myelination", "morphology", "zzz-new"]
    assert ORDER.index("all-or-none") < ORDER.index("action-potential") < ORDER.index("myelination")


def phenomena_table(text: str) -> list[tuple[str, ...]]:
    """The rows of the first Markdown table in ``text`` (header and rule left out), as cell tuples."""
    rows, started = [], False
    for line in text.splitlines():
        if not line.startswith("| "):
            if started:
                break  # the table ended: later tables (the planned questions) are not the tour's
            continue
        started = True
        if not line.startswith(("| name", "| ---")):
            rows.append(tuple(c.strip() for c in line.strip().strip("|").split(" | ")))
    return rows


def test_phenomena_copy_matches_the_docs_table():
    rows = phenomena_table(TABLE.read_text(encoding="utf-8"))
    assert rows[-1][0] == "tour"  # the table's last row is the tour itself, not in the copy
    assert rows[:-1] == list(PHENOMENA)
    # and every question of the table is an experiment one can run
    assert set(ORDER) <= set(experiments.REGISTRY)


def test_phenomena_table_reader_stops_at_the_first_table_and_sees_a_changed_cell():
    doc = ("intro\n\n| name | q | p | o |\n| --- | --- | --- | --- |\n| a | b | c | d |\n| tour | x | y | z |\n"
           "\nlater\n\n| name | q | p | o |\n| --- | --- | --- | --- |\n| planned | 1 | 2 | 3 |\n")
    assert phenomena_table(doc) == [("a", "b", "c", "d"), ("tour", "x", "y", "z")]
    # a table edited without the copy (one word of one cell) no longer matches it
    text = TABLE.read_text(encoding="utf-8")
    name, question = PHENOMENA[3][:2]
    edited = text.replace(f"| {name} | {question} |", f"| {name} | {question} Really? |", 1)
    assert edited != text and phenomena_table(edited)[:-1] != list(PHENOMENA)


@pytest.mark.parametrize("key, label, unit", [
    ("velocity_unmyelinated_m_s", "velocity unmyelinated", "m/s"),
    ("rest_mV", "rest", "mV"),
    ("half_width_ms", "half width", "ms"),
    ("max_rise_mV_ms", "max rise", "mV/ms"),
    ("threshold_amplitude_uA_cm2", "threshold amplitude", "µA/cm²"),
    ("velocity_per_fibre_diameter_m_s_per_um", "velocity per fibre diameter", "m/s per µm"),
    ("temperature_degC", "temperature", "°C"),
    ("n_spikes", "n spikes", ""),
    ("velocity_ratio", "velocity ratio", ""),
])
def test_units_come_from_key_suffixes(key, label, unit):
    assert split_key(key) == (label, unit)


def test_values_are_formatted_for_reading():
    assert format_value(52.19906) == "52.2"
    assert format_value(20020.0) == "20,020"
    assert format_value(0.0001234) == "1.234e-04"
    assert format_value(True) == "yes" and format_value(None) == "n/a" and format_value(7) == "7"
    assert format_value([1.0, 2.0]) is None  # lists are not shown


def test_mechanism_is_every_paragraph_after_the_title_with_readable_units():
    doc = """Why? A title line.

    One sentence, e.g. with an abbreviation. Two sentences.
    Three on a new line.

    The second paragraph: 6.9 uA/cm2 at 6.3 degC, a 476-um axon, Ri 35.4 ohm*cm.
    """
    assert mechanism(doc) == ["One sentence, e.g. with an abbreviation. Two sentences. Three on a new line.",
                              "The second paragraph: 6.9 µA/cm² at 6.3 °C, a 476-µm axon, Ri 35.4 Ω·cm."]
    # the whole of it: pump-failure's mechanism goes on to say what happens when the pump stops
    full = mechanism(experiments.get("pump-failure").__doc__)
    assert len(full) >= 2 and "pump" in " ".join(full[1:])


@pytest.mark.parametrize("ascii_text, page", [
    ("1 uF/cm2 and 120 mS/cm2", "1 µF/cm² and 120 mS/cm²"), ("a 20-um soma, 100 um2", "a 20-µm soma, 100 µm²"),
    ("10 MOhm, 70 ohm cm", "10 MΩ, 70 Ω·cm"), ("37 degC", "37 °C"), ("100 uM", "100 µM"),
    ("let us sum the maximum of M2", "let us sum the maximum of M2"),  # words are not units
])
def test_units_are_written_as_a_reader_writes_them(ascii_text, page):
    assert readable(ascii_text) == page


def _declared():
    return Experiment(
        name="fake-declared", question="Does it teach?", params={
            "amplitude": Param(10.0, "uA/cm2", "stimulus", minimum=0),
            "temperature": Param(None, "degC", "", default_note="the model's own")},
        answer="Yes: the peak is {peak_mV:+.0f} mV.",
        headline=(Headline("peak_mV", "Peak of the spike", "mV"), Headline("absent_ms", "Not measured", "ms")),
        suggestions=(Suggestion("Double the stimulus", {"amplitude": 20.0}),), model_note="a fake cell")


def test_outputs_are_the_headline_numbers_and_inputs_are_apart():
    d = _declared()
    summary = {"peak_mV": 39.456, "temperature_degC": 6.3, "amplitude_uA_cm2": 20.0, "n_spikes": 1}
    assert output_rows(d, summary) == [("peak_mV", "Peak of the spike", "39.46", "mV")]  # absent: left out
    inputs = input_rows(d, {"amplitude": 20.0, "temperature": None})
    assert inputs[0][:4] == ("amplitude", "20", "µA/cm²", True)  # changed from 10, its unit readable
    assert inputs[1][:4] == ("temperature", "the model's own", "", False)
    # without a headline: the summary's scalars, less the inputs it echoes back, named readably
    bare = Experiment(name="bare", question="?", params=d.params)
    assert [r[1] for r in output_rows(bare, summary)] == ["Peak", "N spikes"]
    assert lab_path("x", {"amplitude": 20.0, "myelin": False}) == "/x/x?amplitude=20.0&myelin=false"


def test_estimate_before_the_start():
    line = estimate_line(["action-potential", "epilepsy", "no-such-experiment"], jobs=2, quick=False)
    assert re.fullmatch(r"3 experiments, about \d+ s \(cached programs\) / \d+ s \(first run\), 2 at a time",
                        line), line
    cached, first = map(int, re.findall(r"(\d+) s", line))
    assert cached < first
    # longest first, so the network does not start last; two workers finish sooner than one
    assert longest_first(["action-potential", "epilepsy"])[0] == "epilepsy"
    assert makespan(list(SECONDS), 2, cached=False) < makespan(list(SECONDS), 1, cached=False)


# --- fake experiments: the tour's machinery without simulations ------------------------------------

def _fake_module(name: str, *, fail: str | None = None, quick: dict | None = None) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__doc__ = f"Does {name} work? A fake experiment.\n\nIt works because it is fake. Really.\n"
    mod.EXPERIMENT = Experiment(name=name, question=f"Does {name} work?",
                                params={"n": Param(100, "", "points", int, minimum=1)}, quick=quick or {})
    mod.seen = []

    def run(**given):
        p = mod.EXPERIMENT.resolve(given)
        mod.seen.append(p)
        if fail:
            raise RuntimeError(fail)
        t = np.linspace(0, 10, p["n"])

        def plot(res):
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(3, 2))
            ax.plot(res.t, res["v"])
            return fig

        return Result(t=t, traces={"v": np.sin(t)}, summary={"peak_mV": 1.0, "points": p["n"]},
                      name=name, plotter=plot)

    mod.run = run
    return mod


@pytest.fixture
def fakes(monkeypatch):
    mods = {"fake-ok": _fake_module("fake-ok", quick={"n": 7}),
            "fake-bad": _fake_module("fake-bad", fail="the membrane melted"),
            "fake-worse": _fake_module("fake-worse", fail="no spike anywhere")}
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, f"_tour_test_{name}", mod)
        monkeypatch.setitem(experiments.REGISTRY, name, f"_tour_test_{name}")
    return mods


def test_failures_become_error_sections_and_the_exit_status_counts_them(tmp_path, fakes, capsys):
    out = tmp_path / "tour"
    rc = main(["tour", "--out", str(out), "--jobs", "1", "--only", "fake-bad,fake-ok,fake-worse"])
    assert rc == 1  # some experiments failed (2 of 3; the page says which)
    page = (out / "index.html").read_text()
    assert page.count('data-status="error"') == 2 and page.count('data-status="ok"') == 1
    assert "RuntimeError: the membrane melted" in page and "no spike anywhere" in page
    assert page.count("<img ") == 1
    status = json.loads((out / "tour.json").read_text())
    assert [(e["name"], e["ok"]) for e in status["experiments"]] == \
        [("fake-bad", False), ("fake-ok", True), ("fake-worse", False)]
    assert (out / "fake-ok" / "summary.json").exists() and not (out / "fake-bad").exists()
    # The page is written atomically (temporary file + rename) yet readable like any file we write.
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask
    printed = capsys.readouterr().out
    assert printed.startswith("3 experiments, about ")  # the estimate comes first
    assert "[1/3] fake-bad" in printed and "[3/3] fake-worse" in printed and "elapsed" in printed


def test_quick_uses_the_declared_quick_params(tmp_path, fakes):
    assert main(["tour", "--out", str(tmp_path / "q"), "--quick", "--jobs", "1", "--only", "fake-ok"]) == 0
    assert fakes["fake-ok"].seen[-1]["n"] == 7
    assert main(["tour", "--out", str(tmp_path / "d"), "--only", "fake-ok"]) == 0  # one: in this process
    assert fakes["fake-ok"].seen[-1]["n"] == 100
    assert "--set n=7" in (tmp_path / "q" / "index.html").read_text()


def test_without_worker_processes_the_tour_runs_one_at_a_time(tmp_path, fakes, monkeypatch, capsys):
    import concurrent.futures

    def no_pool(*args, **kwargs):  # a sandbox without POSIX semaphores
        raise OSError("[Errno 38] Function not implemented")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert main(["tour", "--out", str(tmp_path / "s"), "--jobs", "2", "--only", "fake-ok,fake-worse"]) == 1
    printed = capsys.readouterr().out
    assert "no worker processes here" in printed and "[1/2] fake-ok: ok" in printed
    assert "[2/2] fake-worse: FAILED (RuntimeError: no spike anywhere)" in printed


def check_quick_settings(names) -> None:
    """Import every experiment module of ``names`` (an import error propagates: the tour would show
    that experiment as an error section) and resolve its quick settings (a bad key or value raises)."""
    for name in names:
        module = experiments.get(name)
        assert module.EXPERIMENT is experiments.declaration(name), name
        module.EXPERIMENT.resolve(module.EXPERIMENT.quick)


def test_every_experiment_imports_and_its_quick_settings_are_valid():
    check_quick_settings(experiments.names())


def test_the_quick_check_fails_for_a_module_that_does_not_import(monkeypatch, fakes):
    monkeypatch.setitem(experiments.REGISTRY, "fake-missing", "_tour_test_no_such_module")
    with pytest.raises(ModuleNotFoundError, match="_tour_test_no_such_module"):
        check_quick_settings(["fake-ok", "fake-missing"])
    broken = _fake_module("fake-broken-quick", quick={"n": 0})  # below its minimum of 1
    monkeypatch.setitem(sys.modules, "_tour_test_fake-broken-quick", broken)
    monkeypatch.setitem(experiments.REGISTRY, "fake-broken-quick", "_tour_test_fake-broken-quick")
    with pytest.raises(ModelError, match="n must be >= 1"):
        check_quick_settings(["fake-broken-quick"])


def test_unknown_name_in_only_is_one_line_exit_2(tmp_path, capsys):
    assert main(["tour", "--out", str(tmp_path / "x"), "--only", "action-potential,no-such-thing"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-thing" in err[0]
    assert not (tmp_path / "x" / "index.html").exists()
    for bad in ("0", "two"):
        assert main(["tour", "--out", str(tmp_path / "x"), "--jobs", bad]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--jobs" in err[0] and repr(bad) in err[0]


# --- the real thing, in a real browser --------------------------------------------------------------

#: What the phone test reads from the page, per section: the answer, the mechanism's paragraphs, the
#: visible text, each figure's natural and shown width; and whether anything scrolls sideways.
PHONE_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  sections: Array.from(document.querySelectorAll('section.experiment')).map(s => ({
    name: s.dataset.name,
    answer: (s.querySelector('.answer') || {innerText: ''}).innerText.trim(),
    why: Array.from(s.querySelectorAll('.why p')).map(p => p.innerText.trim()),
    text: s.innerText,
    images: Array.from(s.querySelectorAll('img')).map(i => ({complete: i.complete, natural: i.naturalWidth,
                                                              shown: i.getBoundingClientRect().width})),
  })),
})"""
PHONE = 400  # px: a phone's viewport width
#: The narrowest a figure may be shown on that phone: the screen less a few px of margin on each side.
READABLE_PX = PHONE - 40
ASCII_UNITS = re.compile(r"\b(uA|uF|uS|uM|um|um2|cm2|mm2|degC|ohm)\b")


def on_a_phone(chromium, path: Path) -> dict:
    """PHONE_JS's dict for ``path`` in a 400-px-wide viewport, with the console's errors, the URLs
    requested besides the file, and the first figure's width once clicked (enlarged) and again."""
    from playwright.sync_api import sync_playwright

    from tests.interfaces.conftest import CHROMIUM_ARGS

    url, requests, errors = path.resolve().as_uri(), [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": PHONE, "height": 800})
            page.on("request", lambda r: requests.append(r.url) if r.url != url and not r.url.startswith("data:")
                    else None)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="load")
            info = page.evaluate(PHONE_JS)
            width = "() => document.querySelector('figure img').getBoundingClientRect().width"
            page.click("figure label")
            info["enlarged"] = page.evaluate(width)
            page.click("figure label")
            info["closed"] = page.evaluate(width)
        finally:
            browser.close()
    return {**info, "requests": requests, "errors": errors}


def test_tour_page_in_chromium_on_a_desktop_and_a_phone(tmp_path, inspect_page, chromium, capsys):
    names = ["myelination", "action-potential", "all-or-none"]  # given out of order on purpose
    out = tmp_path / "tour"
    # two worker processes: the parallel tour, as `make demo` runs it on two cores
    rc = main(["tour", "--out", str(out), "--quick", "--jobs", "2", "--only", ",".join(names)])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert printed.startswith("3 experiments, about ") and "2 at a time" in printed.splitlines()[0]

    html = (out / "index.html").read_text()
    # Self-contained: every src is a data URI; no scripts, stylesheets or fonts to fetch.
    assert re.findall(r'src="([^"]*)"', html) and all(s.startswith("data:image/png;base64,")
                                                      for s in re.findall(r'src="([^"]*)"', html))
    assert not re.search(r"<(script|link)\b|@import|url\(|https?://", html)
    assert "What it should show" not in html  # the test's specification is folded away, renamed
    assert html.count('<details class="testing">') == len(names)
    for name in names:
        for f in ("summary.json", "traces.csv", "figure.png"):
            assert (out / name / f).stat().st_size > 0

    page = inspect_page(out / "index.html")
    assert [s["name"] for s in page["sections"]] == ["all-or-none", "action-potential", "myelination"]
    assert all(s["status"] == "ok" for s in page["sections"]) and page["errors"] == 0
    assert len(page["images"]) == len(names)
    for img in page["images"]:
        assert img["complete"] and img["width"] > 0 and img["height"] > 0, img
    assert page["requests"] == []  # nothing loaded from outside the file
    assert page["screenshot"].stat().st_size > 10_000

    phone = on_a_phone(chromium, out / "index.html")
    assert phone["requests"] == [] and phone["errors"] == []
    assert phone["scrollWidth"] <= PHONE  # nothing scrolls sideways
    for section in phone["sections"]:
        name, d = section["name"], experiments.declaration(section["name"])
        summary = json.loads((out / name / "summary.json").read_text())
        assert section["answer"], name  # the plain answer opens the section
        if d.answer and d.answer_for(summary):
            assert section["answer"] == readable(d.answer_for(summary)).replace("``", ""), name
        # the mechanism in full: every paragraph after the docstring's title
        full = mechanism(experiments.get(name).__doc__)
        assert [p[:30] for p in section["why"]] == [p.replace("``", "")[:30] for p in full], name
        assert section["why"][-1].endswith(full[-1].replace("``", "")[-20:]), name
        assert not ASCII_UNITS.search(section["text"]), (name, ASCII_UNITS.search(section["text"]))
        [img] = section["images"]
        assert img["complete"] and img["shown"] >= READABLE_PX, (name, img)
    # a click shows the figure at its own size (wider than the phone: pan to read), another closes it
    first = phone["sections"][0]["images"][0]
    assert phone["enlarged"] == pytest.approx(first["natural"], abs=1) and phone["enlarged"] > PHONE
    assert phone["closed"] == pytest.approx(first["shown"], abs=1)
