"""The declaration vocabulary: Param widgets and ranges, Signal patterns, read-only Values, as_dict."""

from __future__ import annotations

import json
import pickle

import pytest

from excitable.errors import ModelError
from excitable.experiments.base import Experiment, Intervention, Param, Range, Signal, Values, decades, steps

DEMO = Experiment(
    name="demo", question="Does it work?", family="excitability",
    params={"delay": Param(5.0, "ms", "onset", minimum=0, slider=steps(0, 50, 0.5)),
            "dt": Param(0.025, "ms", "time step", positive=True, slider=decades(0.001, 0.1)),
            "level": Param(0.1, "", "fraction", minimum=0, maximum=1),
            "count": Param(24, "", "points", int, minimum=4, maximum=1000),
            "model": Param("hh", "", "which", str, ("hh", "textbook")),
            "on": Param(True, "", "switch", bool),
            "list": Param("1,2", "nA", "comma-separated", str),
            "free": Param(None, "mV", "no bounds, no slider")},
    interventions=(Intervention("zero", {"level": 0.0}, "none at all"),),
    signals=(Signal("v@*um", "mV", "V along the axon"),),
    quick={"count": 8},
)


def test_widgets_follow_the_kind():
    widget = {k: p.widget for k, p in DEMO.params.items()}
    assert widget == {"delay": "slider", "dt": "slider", "level": "slider", "count": "slider",
                      "model": "select", "on": "switch", "list": "text", "free": "number"}


def test_a_range_is_given_or_derived_from_both_bounds():
    assert DEMO.params["dt"].range == Range(0.001, 0.1, log=True)
    assert DEMO.params["level"].range == Range(0, 1, 0.01)
    assert DEMO.params["count"].range == Range(4, 1000, 1)  # integers step by whole numbers
    assert DEMO.params["free"].range is None
    assert 0.5 in DEMO.params["level"].range and 1.5 not in DEMO.params["level"].range
    assert None not in DEMO.params["level"].range


@pytest.mark.parametrize("pattern, label, matches", [
    ("v@*um", "v@1005um", True), ("v@*um", "v@axon", False), ("v", "v", True), ("v", "v_post", False),
    ("*.m", "HH.m", True), ("*.m", "HH.gna", False), ("v@*", "v@dend[1]", True),  # brackets are literal
    ("v at * (mV)", "v at -15 (mV)", True),
])
def test_signal_labels_are_patterns_with_a_star(pattern, label, matches):
    assert Signal(pattern, "mV").matches(label) is matches


def test_resolved_values_are_a_read_only_dict_with_attributes():
    p = DEMO.resolve({"delay": "7", "on": "false"})
    assert isinstance(p, dict) and p.delay == 7.0 and p["delay"] == 7.0 and p.on is False
    with pytest.raises(TypeError, match="read-only"):
        p["delay"] = 1.0
    with pytest.raises(TypeError, match="read-only"):
        p.update(delay=1.0)
    with pytest.raises(AttributeError, match="no parameter 'dely'"):
        p.dely  # noqa: B018 - the attribute access is the test
    q = p.replace(delay=9.0)
    assert isinstance(q, Values) and q.delay == 9.0 and p.delay == 7.0
    assert pickle.loads(pickle.dumps(q)) == q and isinstance(pickle.loads(pickle.dumps(q)), Values)
    assert json.loads(json.dumps(q))["delay"] == 9.0 and dict(q, extra=1)["extra"] == 1


def test_unknown_and_bad_values_are_one_line_errors():
    with pytest.raises(ModelError, match="unknown parameter 'nope' for demo"):
        DEMO.resolve({"nope": 1})
    with pytest.raises(ModelError, match="level must be <= 1"):
        DEMO.resolve({"level": 2})


def test_describe_lists_parameters_and_interventions():
    text = DEMO.describe()
    assert "delay = 5.0 ms  onset" in text and "model = hh [hh|textbook]" in text
    assert "interventions:\n  zero: --set level=0.0  none at all" in text
    assert "free = set by the run (mV)  no bounds" in text and "None" not in text


def test_a_default_chosen_by_the_run_is_described_in_words():
    tuned = Param(None, "degC", "the model's own", default_note="6.3 for hh, 36 for textbook")
    assert tuned.shown_default == "6.3 for hh, 36 for textbook (degC)"
    assert Param(None, "", "auto").shown_default == "set by the run"
    assert Param(2, "ms").shown_default == "2 ms"


def test_as_dict_is_everything_declared_as_json():
    page = json.loads(json.dumps(DEMO.as_dict()))
    assert page["family"] == "excitability" and page["quick"] == {"count": 8} and page["batches"] is False
    delay = page["params"][0]
    assert delay == {"name": "delay", "default": 5.0, "default_note": "", "unit": "ms", "help": "onset", "kind": "float",
                     "widget": "slider", "choices": [], "minimum": 0, "maximum": None, "positive": False,
                     "range": {"low": 0, "high": 50, "step": 0.5, "log": False}}
    assert page["interventions"] == [{"label": "zero", "changes": {"level": 0.0}, "help": "none at all"}]
    assert page["signals"] == [{"label": "v@*um", "unit": "mV", "help": "V along the axon"}]
