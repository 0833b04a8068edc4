"""Every experiment's declaration is complete enough to generate a page from it, and true to its protocol.

A web lab builds its pages from ``excitable.experiments.declarations()`` alone: a family for the home
page, the question, a widget per parameter (a slider with a range that holds the default, a select, a
switch), one-click interventions that are valid parameter changes, and the signals worth showing
(checked against the recorded traces in each experiment's own tests: ``assert_signals_recorded``).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from excitable import experiments
from excitable.experiments.base import Values

NAMES = experiments.names()


def declared(name):
    found = experiments.find_declaration(name)
    assert found is not None, f"{name} has no declaration apart from its protocol"
    return found


def numeric(param) -> bool:
    return param.kind in (int, float)


@pytest.mark.parametrize("name", NAMES)
def test_each_experiment_is_declared_in_its_family(name):
    d = declared(name)
    assert d.name == name and d.question.strip()
    assert d.family in experiments.FAMILIES
    # the family is the package the protocol lives in: experiments/<family>/<name>.py
    assert experiments.REGISTRY[name] == f"excitable.experiments.{d.family}.{name.replace('-', '_')}"


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_has_a_unit_a_widget_and_a_range_that_holds_its_default(name):
    for key, p in declared(name).params.items():
        where = f"{name}.{key}"
        assert p.unit is not None, f"{where}: no unit (use '' for a dimensionless number)"
        assert p.help.strip(), f"{where}: no help"
        if p.kind is bool:
            assert p.widget == "switch" and isinstance(p.default, bool), where
            continue
        if p.choices:
            assert p.widget == "select" and p.default in p.choices, where
            continue
        if not numeric(p):
            assert p.widget == "text" and isinstance(p.default, str), where
            continue
        r = p.range
        assert p.widget == "slider" and r is not None, f"{where}: a number without a slider range"
        assert r.low < r.high, where
        if p.default is not None:
            assert p.default in r, f"{where}: default {p.default} outside [{r.low}, {r.high}]"
            assert p.coerce(key, p.default) == p.default, where
        # the slider offers only values the parameter accepts
        for end in (r.low, r.high):
            assert p.coerce(key, end) == end, f"{where}: slider end {end} refused"
        if r.log:
            assert r.low > 0 and r.step is None, where
        else:
            assert r.step is not None and 0 < r.step <= r.high - r.low, where
            assert math.isclose((r.high - r.low) / r.step, round((r.high - r.low) / r.step), abs_tol=1e-6), \
                f"{where}: {r.step} does not divide [{r.low}, {r.high}]"
        if p.kind is int:
            assert float(r.low).is_integer() and float(r.high).is_integer(), where
            assert r.log or float(r.step).is_integer(), where


@pytest.mark.parametrize("name", NAMES)
def test_interventions_are_valid_changes_of_existing_parameters(name):
    d = declared(name)
    labels = [i.label for i in d.interventions]
    assert len(set(labels)) == len(labels), labels
    for iv in d.interventions:
        assert iv.changes and iv.help.strip(), iv
        values = d.resolve(iv.changes)  # an unknown name or a bad value raises ModelError
        for key, value in iv.changes.items():
            assert values[key] == value, (name, iv.label, key)  # given as the value it becomes


def test_the_readmes_interventions_are_declared_where_their_parameters_exist():
    expected = {("gNa_scale", 0.0): "TTX", ("gK_scale", 0.0): "TEA", ("block", 1.0): "ouabain",
                ("myelin", False): "demyelinate", ("antagonist", 1.0): "antagonist",
                ("bicuculline", 1.0): "bicuculline", ("curare", 1.0): "curare", ("atropine", 1.0): "atropine",
                ("block_factor", 20.0): "AChE inhibitor"}
    for name in NAMES:
        d = declared(name)
        offered = {(k, v): iv.label for iv in d.interventions for k, v in iv.changes.items()}
        for (key, value), label in expected.items():
            if key in d.params:
                assert offered.get((key, value)) == label, f"{name}: no {label} ({key}={value})"


@pytest.mark.parametrize("name", NAMES)
def test_signals_have_units_and_quick_settings_resolve(name):
    d = declared(name)
    assert d.signals, f"{name} declares no signal worth showing"
    for s in d.signals:
        assert s.label and isinstance(s.unit, str) and s.help.strip(), s
    d.resolve(d.quick)


@pytest.mark.parametrize("name", NAMES)
def test_batches_is_what_the_protocol_implements(name):
    d, module = declared(name), experiments.get(name)
    assert module.EXPERIMENT is d
    assert d.batches == (callable(getattr(module, "prepare", None)) and callable(getattr(module, "finish", None)))


def test_parameter_names_read_as_attributes_of_the_resolved_values():
    for name in NAMES:
        for key in declared(name).params:
            assert key.isidentifier() and not hasattr(Values, key), f"{name}.{key} hides a dict method"


def test_the_whole_catalogue_is_json_and_needs_no_jax():
    code = ("import json, sys\nfrom excitable import experiments\n"
            "pages = {n: d.as_dict() for n, d in experiments.declarations().items()}\n"
            "print(json.dumps({'pages': pages, 'families': experiments.FAMILIES,\n"
            "                  'heavy': [m for m in ('jax', 'numpy', 'matplotlib') if m in sys.modules]}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    catalogue = json.loads(out.stdout)
    assert catalogue["heavy"] == []
    assert list(catalogue["pages"]) == NAMES
    page = catalogue["pages"]["action-potential"]
    assert page["family"] == "excitability" and page["batches"] is True
    dt = next(p for p in page["params"] if p["name"] == "dt")
    assert dt["unit"] == "ms" and dt["widget"] == "slider" and dt["range"]["log"] is True
    assert {"label": "TTX", "changes": {"gNa_scale": 0.0},
            "help": "tetrodotoxin blocks the voltage-gated Na+ channels"} in page["interventions"]
    assert {s["label"] for s in page["signals"]} >= {"v", "i_stim", "*.m", "*.h", "*.n"}
    families = {p["family"] for p in catalogue["pages"].values()}
    assert families == set(catalogue["families"])


def test_a_name_is_accepted_with_underscores_as_well_as_hyphens():
    # A Python user writes the module's spelling, experiments.run("action_potential"): the same experiment.
    assert experiments.canonical("action_potential") == "action-potential"
    assert experiments.declaration("action_potential").name == "action-potential"
    assert experiments.describe("all_or_none") == experiments.describe("all-or-none")
    assert experiments.get("gates_overlap") is experiments.get("gates-overlap")
    from excitable.errors import ModelError

    with pytest.raises(ModelError, match="unknown experiment 'action potential'; known: "):
        experiments.canonical("action potential")
