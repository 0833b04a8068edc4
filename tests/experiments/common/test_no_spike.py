"""Drugs on the excitability experiments (issue 16, item 4): TTX and a full TEA block give a result
that says why there is no spike to measure (summary and figure), never an error or NaN; a partial TEA
block keeps a spike and widens it."""

import numpy as np
import pytest

from excitable import experiments

NAMES = ("gates-overlap", "membrane-currents", "undershoot", "refractory-period")


# TTX on each experiment (each has its own hook); the K+ blocks share the check, so once each, and
# gK_scale=0.1 on refractory-period, where it used to end in "All-NaN slice".
CASES = [(name, {"gNa_scale": 0.0}, "no action potential") for name in NAMES] + [
    ("membrane-currents", {"gK_scale": 0.0}, "no resting state"),
    ("refractory-period", {"gK_scale": 0.1}, "no resting state")]


@pytest.mark.parametrize("name, drug, word", CASES)
def test_blocked_channels_give_a_clear_result(name, drug, word):
    res = experiments.run(name, model="hh", **drug)
    reason = res.summary["no_action_potential"]
    assert reason.startswith(word) and "\n" not in reason
    import matplotlib.pyplot as plt

    fig = res.figure()
    assert "no action potential" in fig.axes[0].get_title()
    plt.close(fig)


def _width_at_0_mV(res):
    v, t = res.traces["v"], res.t
    above = t[v >= 0.0]
    return float(above[-1] - above[0])


def test_a_partial_tea_block_widens_the_spike():
    # Armstrong & Hille; Hille (2001) ch. 5: fewer delayed-rectifier K+ channels repolarize later.
    control = experiments.run("membrane-currents", model="hh")
    tea = experiments.run("membrane-currents", model="hh", gK_scale=0.5)
    assert "no_action_potential" not in tea.summary
    assert _width_at_0_mV(tea) > 1.1 * _width_at_0_mV(control)
    assert np.isfinite(tea.summary["peak_mV"])


@pytest.mark.parametrize("model", ["hh", "textbook"])
def test_pronase_leaves_a_spike_that_never_repolarizes(model):
    # Armstrong, Bezanilla & Rojas (1973): pronase removes Na+ inactivation and the squid axon's action
    # potential turns into a long plateau. Without h the spike rises as usual but V stays up, where IK
    # only balances INa (> 0 mV here), 30 ms after a 1-ms pulse; the intact model is back at rest.
    s = experiments.run("membrane-currents", model=model, no_inactivation=True).summary
    # Twice in about a dozen full `make test` runs (once in CI) this came back without the key: jax.jit
    # ran the intact cell's program for the check's pulse, the two classes' tree structures comparing
    # equal (fixed in physics.channel.register_fields; tests/physics/test_channel_pytree.py). On failure
    # the message says what the check's run gives again, through the program store and plain jit.
    assert "never ends" in s.get("no_repolarization", ""), (s, _check_run_again(model))
    assert s["plateau_mV"] > 0.0 and s["peak_mV"] > 30.0
    assert "no_repolarization" not in experiments.run("membrane-currents", model=model).summary
    labels = {iv.label for iv in experiments.declaration("membrane-currents").interventions}
    assert {"TTX", "TEA", "pronase"} <= labels


def _check_run_again(model: str) -> dict:
    """The pronase check's run repeated: V at its end and NaTraub/HH h at its end, by Simulation.run
    (the program store) and by the plain jitted runner, and the class of each mechanism."""
    from excitable.engine.integrate import compiled_runner
    from excitable.experiments.common import no_spike
    from excitable.experiments.common.models import prepared
    from excitable.experiments.excitability.declarations import MEMBRANE_CURRENTS
    from excitable.model.simulation import Simulation
    from excitable.model.stimuli import IClamp

    p = MEMBRANE_CURRENTS.resolve({"model": model, "no_inactivation": True})
    built, celsius = prepared(p)
    cell = built.cell
    sim = Simulation(cell, dt=p.dt, temperature=celsius, v_init=built.v_init)
    sim.stimulate(IClamp(cell.soma, amplitude=cell.density_to_nA(no_spike.PULSE_UA_CM2, cell.soma),
                         delay=no_spike.ONSET_MS, duration=no_spike.PULSE_MS))
    sim.record("v")
    sodium = "HH" if model == "hh" else "NaTraub"
    sim.record(f"{sodium}.h")
    tstop = no_spike.ONSET_MS + no_spike.AFTER_MS
    stored = sim.run(tstop)
    rec, _, _ = compiled_runner(sim.plan, dt=sim.dt)(sim.parameters(), sim.drive(tstop))
    again = no_spike.check(p, "again")
    return {"classes": [type(m).__name__ for m in cell.mechanisms.values()],
            "stored_v_end": float(stored["v"][-1]), "stored_h_min": float(np.min(stored[f"{sodium}.h"])),
            "jit_v_end": float(np.asarray(rec)[-1, 0]), "jit_h_min": float(np.min(np.asarray(rec)[:, 1])),
            "check_again": None if again is None else sorted(again.summary)}


def test_pronase_holds_h_at_1_and_changes_nothing_else():
    from excitable.experiments.common.models import HHPronase
    from excitable.physics.channels.hh import HH

    v = np.linspace(-100.0, 50.0, 7)
    intact, treated = HH().gates(v, 6.3), HHPronase().gates(v, 6.3)
    assert np.all(np.asarray(treated["h"][0]) == 1.0)
    for gate in ("m", "n"):
        np.testing.assert_array_equal(np.asarray(treated[gate][0]), np.asarray(intact[gate][0]))
    assert HHPronase().name == "HH"
