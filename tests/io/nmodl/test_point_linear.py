"""LINEAR and NONLINEAR blocks in point processes and artificial cells, and ``~+`` equations
(io/nmodl/linear.py, nonlinear.py; issue 18), side by side with NEURON 9.0.2 running the same files
(tests/io/nmodl/mod_events/, compiled by nrnivmodl in the test, cached):

- pp_linear.mod: a synapse (the on_events path of point.py) whose receptor fractions solve a LINEAR
  system at every step and in INITIAL, one equation continued by ``~+``;
- pp_nonlinear.mod: a synapse with self-events (the event path of artificial.py) whose open
  fraction solves a NONLINEAR system by NEURON's Newton loop, one equation continued by ``~+``;
- art_linear.mod: an ARTIFICIAL_CELL whose INITIAL solves a LINEAR block (with ``~+``) and a
  NONLINEAR one; NEURON never runs an artificial cell's BREAKPOINT (nrn_state is not called for
  it), so its SOLVEs there must not run here either.

One hh compartment (20 x 20 µm, 6.3 °C, dt 0.025 ms, usetable_hh = 0) with both synapses, and the
artificial cell, each driven by its own train of events on the dt grid (NEURON: a source-less
NetCon's ``event``; ours: ``Network.spike_train``), as tests/io/nmodl/test_point.py does.

Tolerance (issue 18): every trace within 1e-6 of its largest magnitude. Both sides are float64 and
run the same arithmetic (a 3x3 elimination; the same Newton loop, Jacobian by the same central
differences, the same stop rule), so what is left is round-off (1e-12 found); an equation dropped,
a ``~+`` read as a new equation, a solve at the old V or a step late moves a trace by > 1e-3.
The artificial cell's spike times within 0.05 ms (issue 18), and as many as NEURON's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

HERE = Path(__file__).parent / "mod_events"
FILES = [HERE / "pp_linear.mod", HERE / "pp_nonlinear.mod", HERE / "art_linear.mod"]
DT, TSTOP, CELSIUS = 0.025, 40.0, 6.3
#: (event times (ms, on the dt grid), weight) per mechanism: the synapses' sum makes the cell fire
#: (hh's nonlinearity in play); the artificial cell fires on some inputs and not on others.
TRAINS = {"pp_linear": ([2.0, 5.0, 5.5, 20.0], 1.0), "pp_nonlinear": ([3.0, 12.0, 12.5, 25.0], 0.5),
          "art_linear": ([1.0, 2.0, 3.0, 10.0, 11.0, 20.0, 20.5, 21.0, 30.0], 0.45)}
TRACES = {"pp_linear": "TCOD", "pp_nonlinear": "OB", "art_linear": "mhr"}
TOL, SPIKE_TOL_MS = 1e-6, 0.05


@pytest.fixture(scope="module")
def mods():
    return load_mod([*FILES, share() / "modfile" / "hh.mod"])


def neuron_run() -> dict[str, np.ndarray]:
    h = neuron_loaded(FILES, "nrnmech-point-linear", "pp_linear.mod, pp_nonlinear.mod, art_linear.mod")
    sec = h.Section(name="point_linear")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    mechs = {"pp_linear": h.pp_linear(sec(0.5)), "pp_nonlinear": h.pp_nonlinear(sec(0.5)), "art_linear": h.art_linear()}
    ncs = {name: h.NetCon(None, m) for name, m in mechs.items()}
    for name, nc in ncs.items():
        nc.weight[0] = TRAINS[name][1]
    fih = h.FInitializeHandler(lambda: [ncs[n].event(t) for n, (times, _) in TRAINS.items() for t in times])
    out_nc, spikes = h.NetCon(mechs["art_linear"], None), h.Vector()
    out_nc.record(spikes)
    rec = {"v": h.Vector().record(sec(0.5)._ref_v)}
    for name, fields in TRACES.items():  # an artificial cell is in no section: record in this one's thread
        rec.update({f"{name}.{k}": h.Vector().record(getattr(mechs[name], f"_ref_{k}"), sec=sec) for k in fields})
    h.dt, h.secondorder, h.celsius = DT, 0, CELSIUS
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    out = {k: np.array(x) for k, x in rec.items()}
    out["spikes"] = np.array(spikes)
    del fih, out_nc, ncs, mechs, sec
    return out


def our_run(mods) -> dict[str, np.ndarray]:
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    for name in ("pp_linear", "pp_nonlinear"):
        net.spike_train(TRAINS[name][0], 0, mods[name](), weight=TRAINS[name][1], t_max=0.0, pulse=0.0)
    art = net.artificial(mods.art_linear())
    net.spike_train(TRAINS["art_linear"][0], art, weight=TRAINS["art_linear"][1])
    sim = ex.Simulation(net, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for name, fields in TRACES.items():
        for k in fields:
            sim.record(f"{name}[0].{k}", label=f"{name}.{k}")
    sim.record("art_linear[0].spike_t", label="spike_t")
    res = sim.run(TSTOP)
    labels = ["v", "spike_t", *(f"{n}.{k}" for n, fields in TRACES.items() for k in fields)]
    out = {k: np.asarray(res[k]).ravel() for k in labels}
    st = out.pop("spike_t")
    out["spikes"] = st[1:][np.diff(st) != 0]  # the distinct net_event times (-1 before the first)
    return out


@pytest.fixture(scope="module")
def both(mods):
    return neuron_run(), our_run(mods)


def test_linear_and_nonlinear_point_processes_match_neuron(both):
    ref, ours = both
    assert ref["v"].max() > 0.0  # the synapses make the cell fire
    assert ref["pp_nonlinear.O"].max() > 0.1 and ref["pp_linear.O"].max() > 0.1  # the systems had work
    for k in ["v", *(f"{n}.{f}" for n in ("pp_linear", "pp_nonlinear") for f in TRACES[n])]:
        assert ours[k].shape == ref[k].shape, k
        diff = np.max(np.abs(ours[k] - ref[k])) / np.max(np.abs(ref[k]))
        assert diff < TOL, f"{k}: {diff:.3g} of its largest magnitude"


def test_an_artificial_cell_solves_in_initial_only_as_neuron(both):
    """INITIAL's LINEAR and NONLINEAR solves: m = k/(1 + k) = 0.2, h = 0.8 (closed form: an exact
    2x2 elimination, 1e-12), r^3 = 1.8 to NEURON's stop rule (residual <= 1e-8: Newton stops there,
    so r is 3.5e-10 off the exact cube root, on both sides); then no BREAKPOINT solve: m decays from
    each input as NET_RECEIVE says (were BREAKPOINT's LINEAR block run, m would be back at 0.2 after
    every step)."""
    from excitable.io.nmodl.solvers import ZERO

    ref, ours = both
    np.testing.assert_allclose([ours["art_linear.m"][0], ours["art_linear.h"][0]], [0.2, 0.8], rtol=1e-12)
    assert abs(ours["art_linear.r"][0] ** 3 - 1.8) <= ZERO
    for k in TRACES["art_linear"]:
        key = f"art_linear.{k}"
        diff = np.max(np.abs(ours[key] - ref[key])) / np.max(np.abs(ref[key]))
        assert diff < TOL, f"{key}: {diff:.3g} of its largest magnitude"
    assert 2 <= len(ref["spikes"]) < len(TRAINS["art_linear"][0])  # fires on some inputs, not all
    assert len(ours["spikes"]) == len(ref["spikes"])
    assert np.max(np.abs(ours["spikes"] - ref["spikes"])) < SPIKE_TOL_MS


LINEAR_HEAD = """NEURON { SUFFIX %s NONSPECIFIC_CURRENT i }
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { x y }
INITIAL { SOLVE lin }
BREAKPOINT { i = g*x*(v + 65) }
"""


def test_a_continued_equation_adds_to_the_one_before(tmp_path):
    """``~ x + y = 1``, ``~ 2*x - y = 0``, ``~+ x = 0.1``: nocmodl adds the third to the second row
    (checked in its generated C), so 3x - y = 0.1: x = 0.275, y = 0.725 (closed form, 1e-12); read as
    a third equation it would be refused (3 equations for 2 unknowns)."""
    path = tmp_path / "cont.mod"
    path.write_text(LINEAR_HEAD % "cont" + "LINEAR lin {\n  ~ x + y = 1\n  ~ 2*x - y = 0\n  ~+ x = 0.1\n}\n")
    s = load_mod(path)().steady_state(np.asarray(-65.0), 6.3)
    np.testing.assert_allclose([float(s["x"]), float(s["y"])], [0.275, 0.725], rtol=1e-12)


@pytest.mark.parametrize("kind", ["LINEAR", "NONLINEAR"])
def test_a_block_opening_with_a_continuation_is_refused_with_its_line(kind, tmp_path):
    """nocmodl compiles a leading ``~+`` into a write before its first row (C's ``_coef1[-1]``)."""
    path = tmp_path / f"lead_{kind}.mod"
    path.write_text(LINEAR_HEAD % "lead" + f"{kind} lin {{\n  ~+ x + y = 1\n  ~ x = 0.5\n}}\n")
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:8: ~+ as the first equation of {kind} lin")
    assert "\n" not in str(err.value)
    assert any(r.strip().startswith(f"{path}:8: ~+ as the first equation") for r in check_file(path)[0])


def test_a_continuation_in_a_kinetic_block_is_refused_with_its_line(tmp_path):
    """nocmodl: "equation addition can't occur in this type of block"; NEURON's NMODL parser
    refuses it too, which load_mod reports in one line with the line."""
    path = tmp_path / "kin.mod"
    path.write_text("NEURON { SUFFIX kin }\nSTATE { a b }\nBREAKPOINT { SOLVE k METHOD sparse }\n"
                    "KINETIC k {\n  ~ a <-> b (1, 2)\n  ~+ a <-> b (1, 2)\n}\n")
    with pytest.raises(ModelError, match=rf"^{path}: line 6: ") as err:
        load_mod(path)
    assert "\n" not in str(err.value)


def test_a_nonlinear_block_moving_a_variable_on_at_each_evaluation_is_refused(tmp_path):
    """NEURON's Newton loop calls the block's C function at every evaluation (nocmodl 9.0.2's
    generated code), so ``q = q + 1`` there runs a number of times that only NEURON's loop knows;
    refused with its line. A LOCAL, or a variable set before any read of it, is the same at every
    evaluation and runs (pp_nonlinear.mod's ``T``)."""
    path = tmp_path / "rerun.mod"
    path.write_text(LINEAR_HEAD.replace("STATE { x y }", "ASSIGNED { q u }\nSTATE { x y }") % "rerun"
                    + "NONLINEAR lin {\n  LOCAL z\n  z = 1\n  z = z + 1\n  u = 0\n  u = u + z\n  q = q + 1\n"
                      "  ~ x*x + y = 1\n  ~ 2*x - y = 0\n}\n")
    with pytest.raises(ModelError) as err:
        load_mod(path)
    assert str(err.value).startswith(f"{path}:14: NONLINEAR lin setting q from its own earlier value")
    assert sum("not supported" in r for r in check_file(path)[0]) == 1  # z and u are not refused


def comparison_rows(mods=None) -> list[tuple[str, list, str, str]]:
    """(row, .mod files, traces, spikes) of the run above, for the table in docs/nmodl.md
    (benchmarks/nmodl_table.py)."""
    ref, ours = neuron_run(), our_run(mods if mods is not None else load_mod([*FILES, share() / "modfile" / "hh.mod"]))
    diffs = [f"{k} {np.max(np.abs(ours[k] - ref[k])) / np.max(np.abs(ref[k])):.1e}"
             for k in ["v", *(f"{n}.{f}" for n, fields in TRACES.items() for f in fields)]]
    within = (f", within {np.max(np.abs(ours['spikes'] - ref['spikes'])):.0e} ms"
              if len(ours["spikes"]) == len(ref["spikes"]) else "")
    row = ("pp_linear (LINEAR, on_events path) + pp_nonlinear (NONLINEAR, self-events) on an hh compartment, "
           "art_linear (an ARTIFICIAL_CELL solving LINEAR and NONLINEAR in INITIAL), each under a spike train, "
           "6.3 °C; `~+` in all three")
    return [(row, FILES, ", ".join(diffs) + " (of each trace's largest magnitude)",
             f"art_linear {len(ours['spikes'])} vs {len(ref['spikes'])}{within}")]


def test_grad_through_a_point_process_linear_solve(mods):
    """d(mean V)/d(kd) by jax.grad through pp_linear's LINEAR solve at every step (kd enters only
    there) equals a central difference: the solve is exact linear algebra, V is smooth in kd below
    threshold (two events of weight 0.02), and a step of 1e-5 on kd = 0.2 leaves truncation ~1e-10
    and round-off ~1e-16/1e-5 of the gradient, far inside 1e-6."""
    import jax
    import jax.numpy as jnp

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(mods.hh())
    net = Network([cell])
    net.spike_train([1.0, 2.0], 0, mods.pp_linear(), weight=0.02, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=CELSIUS, v_init=-65.0)
    sim.record("v", Site(0, cell.soma))
    f, base = sim.function(8.0), sim.parameters()

    def loss(kd):
        return jnp.mean(f(ex.with_param(base, "pp_linear.kd", kd))[:, 0])

    x, h = jnp.array([0.2]), 1e-5
    grad = float(jax.grad(loss)(x)[0])
    fd = float((loss(x + h) - loss(x - h)) / (2 * h))
    assert float(jnp.max(f(base)[:, 0])) < -40.0  # subthreshold: V smooth in kd
    assert abs(fd) > 1e-2 and abs(grad - fd) < 1e-6 * abs(fd), (grad, fd)


def test_a_float32_linear_solve_passes_the_linearity_check(mods):
    """Solved with numbers in float32, a LINEAR block's check allows float32's round-off (1.4e-8
    of the row's scale found on art_linear's split, over the float64 bound of 1e-9) and still
    refuses a term that is not linear (~0.1 of the scale: test_linear.py): m = 0.2 to float32's
    rounding (6e-8 relative)."""
    import jax.numpy as jnp

    s = mods.art_linear().steady_state(jnp.asarray(-65.0, jnp.float32), CELSIUS)
    assert float(s["m"]) == pytest.approx(0.2, rel=1e-7)


def test_mod_check_says_an_artificial_cells_breakpoint_never_runs():
    lines = check_file(HERE / "art_linear.mod")[0]
    assert ("  solves: split in BREAKPOINT (never run, as in NEURON: an artificial cell has no nrn_state), "
            "root in BREAKPOINT (never run, as in NEURON: an artificial cell has no nrn_state), "
            "split (LINEAR: its equations solved in INITIAL), "
            "root (NONLINEAR: its equations solved by Newton's method in INITIAL)") in lines
    assert "  solves: bind (LINEAR: its equations solved at every step), bind (LINEAR: its equations solved in INITIAL)" \
        in check_file(HERE / "pp_linear.mod")[0]


def test_a_linear_block_initial_solves_reads_the_runs_dt(tmp_path):
    """NEURON's INITIAL sees the run's dt, also inside the LINEAR block it solves: the point
    process gets a ``dt`` field (the Simulation fills it), so x = exp(-dt/tau) after INITIAL (closed
    form, 1e-14), not exp(0) = 1."""
    path = tmp_path / "ppdt.mod"
    path.write_text("NEURON { POINT_PROCESS ppdt NONSPECIFIC_CURRENT i }\nPARAMETER { tau = 3 (ms) }\n"
                    "ASSIGNED { v (mV) i (nA) }\nSTATE { x y }\nINITIAL { x = 1  SOLVE lin }\n"
                    "BREAKPOINT { i = 0 }\nLINEAR lin SOLVEFOR y {\n  x = x*exp(-dt/tau)\n  ~ y = x\n}\n")
    cls = load_mod(path)
    assert "dt" in cls.time_fields
    s = cls(dt=0.1).steady_state(np.asarray(-65.0), CELSIUS)
    assert float(s["x"]) == pytest.approx(np.exp(-0.1 / 3.0), rel=1e-14)
    assert float(s["y"]) == pytest.approx(np.exp(-0.1 / 3.0), rel=1e-14)


def test_a_nonlinear_block_in_a_point_process_without_events(tmp_path):
    """The on_events path (no net_send, flag or t) with a NONLINEAR block in BREAKPOINT: it carries
    NEURON's convergence count, and a step solves x^3 = 1 + y at the step's y by NEURON's Newton
    loop from the last x (its stop rule: |x^3 - (1 + y)| <= 1e-8, checked)."""
    from excitable.io.nmodl.solvers import UNCONVERGED, ZERO

    path = tmp_path / "ppnl.mod"
    path.write_text("NEURON { POINT_PROCESS ppnl NONSPECIFIC_CURRENT i }\nASSIGNED { v (mV) i (nA) }\n"
                    "STATE { x y }\nINITIAL { x = 1  SOLVE root }\nBREAKPOINT { SOLVE root\n  i = 0.001*x*(v + 65) }\n"
                    "NONLINEAR root SOLVEFOR x {\n  ~ x*x*x = 1 + y\n}\nNET_RECEIVE(w) { y = y + w }\n")
    cls = load_mod(path)
    assert UNCONVERGED in cls.states and not hasattr(cls, "on_step")  # the on_events path, counted
    mech, v = cls(), np.asarray(-65.0)
    s = mech.on_events(mech.steady_state(v, CELSIUS), np.asarray(0.331))
    new = mech.advance(v, s, CELSIUS, DT, {"T": 0.0})
    assert abs(float(new["x"]) ** 3 - 1.331) <= ZERO and float(new[UNCONVERGED]) == 0.0
    # a jump to x = 2 from 1: NEURON's loop needs more than the traced iterations: counted (the run
    # is then refused in one line, as tests/io/nmodl/test_point_convergence.py shows)
    far = mech.advance(v, mech.on_events(mech.steady_state(v, CELSIUS), np.asarray(7.0)), CELSIUS, DT, {"T": 0.0})
    assert float(far[UNCONVERGED]) == 1.0
