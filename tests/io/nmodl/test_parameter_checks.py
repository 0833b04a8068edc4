"""What an imported mechanism's parameters may hold: a field named like a time constant whose own
default is not > 0 ms is an offset (ModelDB 2017006 ks.mod: ``tau_noff = 0.0 (ms)``), which NEURON
runs as published; one whose default is > 0 is a time constant, and 0 there is refused in one line.

Reference: NEURON 9.0.2 side by side through ``compare_mods`` (its 1e-6 of each trace's scale, the
issue's tolerance), at the default offset 0 and at 1.5 ms.
"""

from __future__ import annotations

import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from tests.io.nmodl.neuron_side import OWN

FILE = OWN / "nm_tauoffset.mod"


def test_an_offset_named_tau_may_be_0_or_negative_and_a_time_constant_may_not():
    chan = load_mod(FILE)
    ex.Cell.cylinder().insert(chan())  # tau_off = 0, its default
    ex.Cell.cylinder().insert(chan(tau_off=-0.5))  # an offset: only finite
    with pytest.raises(ModelError, match=r"^nm_tauoffset\.taub must be > 0 ms \(a time constant\), got 0$"):
        ex.Cell.cylinder().insert(chan(taub=0.0))
    with pytest.raises(ModelError, match=r"^nm_tauoffset\.tau_off must be finite, got nan$"):
        ex.Cell.cylinder().insert(chan(tau_off=float("nan")))


@pytest.mark.neuron
@pytest.mark.parametrize("settings", [(), ("nm_tauoffset.tau_off=1.5",)])
def test_the_offset_runs_beside_neuron(settings):
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods([FILE], settings=list(settings))
    assert result.agrees, result.report()
    assert {"nm_tauoffset.n", "ik"} <= {r.trace for r in result.rows}
