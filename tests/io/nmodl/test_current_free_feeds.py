"""A mechanism without currents whose SOLVE'd block reads a value BREAKPOINT computes from its
PARAMETERs alone. NEURON generates no nrn_cur for it and runs BREAKPOINT's statements in nrn_state
after the SOLVE, so its first step reads what INITIAL left: the same numbers as ours where INITIAL
sets the value too (beside NEURON here), 0 where it does not (a time constant of 0: NaN in NEURON,
measured with `mod compare`), which is refused at BREAKPOINT's line."""

from __future__ import annotations

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod

MOD = """NEURON {{ SUFFIX {name} RANGE tau0, tau }}
PARAMETER {{ tau0 = 5 (ms) }}
ASSIGNED {{ tau (ms) v (mV) }}
STATE {{ s }}
INITIAL {{ s = 0 {initial} }}
BREAKPOINT {{
  SOLVE states METHOD cnexp
  tau = 2*tau0
}}
DERIVATIVE states {{ s' = (1 - s)/tau }}
"""


def test_a_value_initial_does_not_set_is_refused(tmp_path):
    path = tmp_path / "cf_unset.mod"
    path.write_text(MOD.format(name="cf_unset", initial=""))
    with pytest.raises(ModelError, match=rf"^{path}:6: BREAKPOINT setting tau for the SOLVE'd block of a mechanism "
                                         r"without currents, INITIAL not setting it .* not supported$"):
        load_mod(path)


@pytest.mark.neuron
def test_a_value_initial_sets_too_runs_beside_neuron(tmp_path):
    from excitable.workflows.neuron_compare import compare_mods

    path = tmp_path / "cf_set.mod"
    path.write_text(MOD.format(name="cf_set", initial="tau = 2*tau0"))
    result = compare_mods([path])
    # the protocol's bound, 1e-6 of each trace's scale: both sides compute s(t) = 1 - exp(-t/10 ms)
    # by cnexp in float64, so only rounding separates them
    assert result.agrees, result.report()
    assert "cf_set.s" in {r.trace for r in result.rows}



@pytest.mark.neuron
def test_mod_compare_treats_the_kept_v_as_ours():
    """breakpoint_feeds.V_CUR is our own state, no variable of the file: a point process keeping it
    (pt_feed.mod, beside NEURON in test_point_feeds.py) is compared without a note that NEURON
    'does not expose' it."""
    from excitable.io.nmodl.breakpoint_feeds import V_CUR
    from excitable.workflows.neuron_compare import compare_mods
    from tests.io.nmodl.neuron_side import OWN

    result = compare_mods([OWN / "pt_feed.mod"], amplitude_nA=0.15)
    assert result.agrees, result.report()
    assert V_CUR not in result.report()
