"""Random numbers in imported .mod files (issue 18): NEURON's scoplib calls ``normrand``, ``exprand``,
``scop_random`` and ``poisrand``, drawn from the run's seed (``engine.noise``,
``io/nmodl/random_draws.py``), with the files side by side in NEURON:

- tests/reference/mod/nm_ou.mod: an Ornstein-Uhlenbeck conductance stepped exactly by ``normrand`` in
  a SOLVE'd PROCEDURE (Destexhe et al. 2001's Gfluct form), with a PROCEDURE only hoc calls
  (``set_seed`` and C code: not run, not refused); pt_ou.mod: the same as a point process;
- nm_draws.mod: one draw of each function per BREAKPOINT, kept in RANGE values, the current using one.

NEURON's stream (mcell_ran4) cannot be reproduced, so each simulator is held to the closed forms of
the distributions: the draws recovered from the traces (z = (g1' - a g1) / amp for the OU, the
RANGE values for nm_draws) have the moments the functions promise. Tolerance: 5 standard errors of
each estimate (sigma / sqrt(n) for a mean, sigma^2 sqrt(2 / n) for a normal variance, 1 / sqrt(n)
for a lag-1 correlation): a correct generator fails one of them with probability under 1e-6 at a
fresh seed, and the seeds here are fixed, so the test is deterministic; drawing twice a step,
reusing a draw, or exprand taking a rate for its mean are each off by tens of standard errors.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file
from excitable.workflows.neuron_compare_files import select
from tests.io.nmodl.neuron_side import DT, OWN, class_loader, mod_file, neuron_with_mods
from tests.reference.nrnmech import neuron_loaded

FILES = ("nm_ou", "nm_draws", "pt_ou", "pt_relsyn")
N_STEPS = 8000
TAU, SD = 2.0, 3e-5  # nm_ou's defaults: ms, S/cm2
A = np.exp(-DT / TAU)
AMP = SD * np.sqrt(1.0 - A * A)
cls = class_loader()


def neuron():
    neuron_with_mods()
    return neuron_loaded([OWN / f"{n}.mod" for n in FILES], "nrnmech-random-draws", "the random-number test files")


def within(x, expected, se, what):
    assert abs(x - expected) < 5 * se, f"{what}: {x:.5g}, expected {expected:.5g} +- 5 x {se:.3g}"


def normal_draws(z, what):
    """z: i.i.d. N(0, 1)? Its mean, variance and lag-1 correlation, each within 5 SE."""
    n = len(z)
    within(z.mean(), 0.0, 1 / np.sqrt(n), f"{what} mean")
    within(z.var(), 1.0, np.sqrt(2 / n), f"{what} variance")
    within(np.corrcoef(z[1:], z[:-1])[0, 1], 0.0, 1 / np.sqrt(n), f"{what} lag-1 correlation")


def ours_ou(seed=1):
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls("nm_ou")())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0, seed=seed)
    sim.record("nm_ou.g1")
    return sim


def neuron_traces(suffix, names):
    """NEURON's traces of ``suffix``'s ``names`` in one compartment, N_STEPS from INITIAL."""
    h = neuron()
    sec = h.Section(name=suffix)
    sec.L = sec.diam = 10.0
    sec.insert(suffix)
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    vecs = {k: h.Vector().record(getattr(getattr(sec(0.5), suffix), f"_ref_{k}")) for k in names}
    h.finitialize(-65.0)
    h.continuerun(N_STEPS * DT)
    return {k: np.array(v) for k, v in vecs.items()}


@pytest.mark.neuron
def test_the_ou_conductance_is_stepped_by_one_normal_draw_a_step_in_both_simulators():
    """z recovered from g1 is N(0, 1), uncorrelated from step to step: one draw per step (the
    SOLVE'd PROCEDURE, as NEURON's nrn_state calls it), scaled as the file says; g1 starts at
    INITIAL's 0 and its standard deviation after 100 tau is the file's sd (5 SE of a variance of
    ~n (1 - a^2) / (1 + a^2) independent samples)."""
    for what, g1 in (("excitable", np.asarray(ours_ou().run(N_STEPS * DT)["nm_ou.g1"]).ravel()),
                     ("NEURON", neuron_traces("nm_ou", ["g1"])["g1"])):
        assert g1[0] == 0.0 and len(g1) == N_STEPS + 1
        normal_draws((g1[1:] - A * g1[:-1]) / AMP, what)
        n_eff = len(g1) * (1 - A * A) / (1 + A * A)
        within(np.mean(g1[400:] ** 2) / SD ** 2, 1.0, np.sqrt(2 / n_eff), f"{what} g1 variance / sd^2")


def ours_draws(seed=2):
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(cls("nm_draws")())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0, seed=seed)
    for k in ("v", "i_ion", *(f"nm_draws.{k}" for k in "uxpz")):
        sim.record(k)
    return sim.run(N_STEPS * DT)


@pytest.mark.neuron
def test_each_draw_has_its_distribution_in_both_simulators():
    """scop_random: uniform on [0, 1) (mean 1/2, variance 1/12); exprand(2): exponential of mean 2
    (variance 4); poisrand(3): integers of mean and variance 3; normrand(1, 0.5): mean 1, sd 0.5."""
    res = ours_draws()
    ours = {k: np.asarray(res[f"nm_draws.{k}"]).ravel()[1:] for k in "uxpz"}
    theirs = {k: x[1:] for k, x in neuron_traces("nm_draws", "uxpz").items()}
    for what, d in (("excitable", ours), ("NEURON", theirs)):
        n = len(d["u"])
        assert n == N_STEPS
        assert d["u"].min() >= 0.0 and d["u"].max() < 1.0 and d["x"].min() >= 0.0
        assert np.array_equal(d["p"], np.round(d["p"])) and d["p"].min() >= 0.0
        within(d["u"].mean(), 0.5, np.sqrt(1 / 12 / n), f"{what} uniform mean")
        within(d["u"].var(), 1 / 12, np.sqrt(1 / 180 / n), f"{what} uniform variance")  # fourth central moment 1/80
        within(d["x"].mean(), 2.0, 2.0 / np.sqrt(n), f"{what} exponential mean")
        within(d["x"].var(), 4.0, 4.0 * np.sqrt(8 / n), f"{what} exponential variance")  # mu4 = 9 sigma^4
        within(d["p"].mean(), 3.0, np.sqrt(3 / n), f"{what} Poisson mean")
        within(d["p"].var(), 3.0, np.sqrt((3 + 2 * 9) / n), f"{what} Poisson variance")  # mu4 = lam + 3 lam^2
        normal_draws((d["z"] - 1.0) / 0.5, f"{what} normrand(1, 0.5)")
    # Independent draws of one block: the four are uncorrelated with each other.
    for a, b in (("u", "x"), ("x", "z"), ("u", "p")):
        within(np.corrcoef(ours[a], ours[b])[0, 1], 0.0, 1 / np.sqrt(N_STEPS), f"corr({a}, {b})")


def test_the_recorded_draw_is_the_one_the_current_used():
    """i_ion (what the step's V update used: linearized at the new V) is gx x (v - e) with the x
    recorded for that step: the current, its slope and the recording share one draw a step
    (round-off only: 1e-9 of i's range)."""
    res = ours_draws()
    v, i_ion, x = (np.asarray(res[k]).ravel()[1:] for k in ("v", "i_ion", "nm_draws.x"))
    expected = 1e3 * 1e-4 * x * (v + 70.0)  # mA/cm2 -> uA/cm2
    assert np.max(np.abs(i_ion - expected)) < 1e-9 * np.ptp(expected)


def test_a_seed_gives_the_same_run_and_another_seed_another():
    sim = ours_ou(seed=7)
    first, again = (np.asarray(sim.run(20.0)["nm_ou.g1"]).ravel() for _ in range(2))
    other = np.asarray(ours_ou(seed=8).run(20.0)["nm_ou.g1"]).ravel()
    assert np.array_equal(first, again)
    assert not np.allclose(first[1:], other[1:])
    # A batch over seeds gives each member the run of its seed.
    params = sim.parameters()
    batch = jax.tree.map(lambda a: np.stack([a, a]), params)
    batch["seed"] = np.array([7, 8], np.uint32)
    both = np.asarray(sim.run_batch(20.0, batch)["nm_ou.g1"])
    assert np.array_equal(both[0].ravel(), first) and np.array_equal(both[1].ravel(), other)


def test_a_run_in_chunks_draws_what_a_run_in_one_piece_draws(monkeypatch):
    """A long run is scanned in chunks (engine.run): each step's keys come from its index in the
    whole run, so the chunks draw exactly what one scan draws."""
    import excitable.engine.run as engine_run

    whole = np.asarray(ours_ou(seed=6).run(40.0)["nm_ou.g1"]).ravel()
    monkeypatch.setattr(engine_run, "CHUNK_STEPS", 300)  # 1600 steps: 6 chunks
    assert np.array_equal(np.asarray(ours_ou(seed=6).run(40.0)["nm_ou.g1"]).ravel(), whole)


def test_sites_draw_independently():
    """Three compartments of one cable: their draws are uncorrelated (5 / sqrt(n) each)."""
    cell = ex.Cell.cylinder(length=30.0, diameter=10.0, nseg=3).insert(cls("nm_ou")())
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0, seed=4)
    labels = [f"g{k}" for k in range(3)]
    for x, label in zip((1 / 6, 0.5, 5 / 6), labels):
        sim.record("nm_ou.g1", at=ex.Location(cell.soma.section, x), label=label)
    res = sim.run(4000 * DT)
    z = [(g[1:] - A * g[:-1]) / AMP for g in (np.asarray(res[k]).ravel() for k in labels)]
    for k in range(3):
        normal_draws(z[k], f"site {k}")
        within(np.corrcoef(z[k], z[(k + 1) % 3])[0, 1], 0.0, 1 / np.sqrt(len(z[k])), "sites' correlation")


def test_the_gradient_through_a_noisy_run_is_the_finite_difference_of_its_runs():
    """The draws are constants of the parameters (one seed): d mean(V) / d g0 by jax.grad equals
    the central difference of two runs (relative 1e-6: float64, smooth in g0)."""
    sim = ours_ou(seed=3)
    sim.record("v")
    f, base = sim.function(40.0), sim.parameters()
    mean_v = lambda g0: jnp.mean(f(ex.with_param(base, "nm_ou.g0", g0))[:, 1])
    g0, h = 1e-4, 1e-8
    fd = (mean_v(g0 + h) - mean_v(g0 - h)) / (2 * h)
    assert abs(float(jax.grad(mean_v)(g0)) - float(fd)) < 1e-6 * abs(float(fd))


@pytest.mark.neuron
def test_the_point_process_ou_steps_like_neurons():
    """pt_ou (Gfluct2's form, a point process): z from its g1 is N(0, 1) in both simulators."""
    h = neuron()
    sec = h.Section(name="pt")
    sec.L = sec.diam = 10.0
    pp = h.pt_ou(sec(0.5))
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    vec = h.Vector().record(pp._ref_g1)
    h.finitialize(-65.0)
    h.continuerun(N_STEPS * DT)
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0)
    cell.place(cls("pt_ou")(), cell.soma)
    sim = ex.Simulation(cell, dt=DT, temperature=6.3, v_init=-65.0, seed=5)
    sim.record("pt_ou[0].g1", label="g1")
    a, amp = np.exp(-DT / 2.0), 0.003 * np.sqrt(1 - np.exp(-DT))
    for what, g1 in (("excitable", np.asarray(sim.run(N_STEPS * DT)["g1"]).ravel()), ("NEURON", np.array(vec))):
        normal_draws((g1[1:] - a * g1[:-1]) / amp, what)
    del pp


NETSTIMS, NETSTIM_MS = 32, 300.0
INTERVAL, NOISE = 5.0, 0.5


def netstim_intervals_neuron():
    h = neuron_with_mods()
    stims = [h.NetStim() for _ in range(NETSTIMS)]
    vecs, ncs = [], []
    for s in stims:
        s.interval, s.number, s.start, s.noise = INTERVAL, 1e9, 0.0, NOISE
        vecs.append(h.Vector())
        ncs.append(h.NetCon(s, None))
        ncs[-1].record(vecs[-1])
    h.dt, h.secondorder = DT, 0
    h.finitialize(-65.0)
    h.continuerun(NETSTIM_MS)
    out = [np.diff(np.array(v)) for v in vecs]
    del ncs, stims
    return out


def netstim_intervals_ours():
    from excitable.model.network import Network

    stim = load_mod(mod_file("netstim"))  # the wheel's netstim.mod (RANDOM ranvar, random_negexp)
    net = Network([ex.Cell.cylinder(length=10.0, diameter=10.0)])
    for _ in range(NETSTIMS):
        net.artificial(stim(interval=INTERVAL, number=1e9, start=0.0, noise=NOISE))
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0, seed=9)
    for k in range(NETSTIMS):
        sim.record(f"NetStim[{k}].spike_t", label=f"s{k}")
    res = sim.run(NETSTIM_MS)
    out = []
    for k in range(NETSTIMS):
        trace = np.asarray(res[f"s{k}"]).ravel()
        out.append(np.diff(trace[1:][np.diff(trace) != 0]))  # net_event times (test_artificial.spike_times)
    return out


@pytest.mark.neuron
def test_netstim_with_noise_fires_as_neurons_does():
    """The wheel's netstim.mod (NEURON 9's: a RANDOM variable, random_negexp in a FUNCTION its
    NET_RECEIVE calls, seed(0) in INITIAL) with noise 0.5: intervals (1 - noise) x interval + noise x
    interval x Exp(1), i.e. at least 2.5 ms, (ISI - 2.5) / 2.5 of mean 1 and variance 1, every
    instance its own stream; in excitable and in NEURON (5 SE of each moment)."""
    for what, per_cell in (("excitable", netstim_intervals_ours()), ("NEURON", netstim_intervals_neuron())):
        isi = np.concatenate(per_cell)
        scaled = (isi - (1 - NOISE) * INTERVAL) / (NOISE * INTERVAL)
        n = len(scaled)
        assert n > 1500 and isi.min() >= (1 - NOISE) * INTERVAL - 1e-9, (what, n, isi.min())
        within(scaled.mean(), 1.0, 1 / np.sqrt(n), f"{what} NetStim interval mean")
        within(scaled.var(), 1.0, np.sqrt(8 / n), f"{what} NetStim interval variance")
        within(np.corrcoef(scaled[1:], scaled[:-1])[0, 1], 0.0, 1 / np.sqrt(n), f"{what} successive intervals")
        firsts = [d[0] for d in per_cell]
        assert len(set(np.round(firsts, 9))) == NETSTIMS, what  # no two instances share a stream


SYNAPSES, EVENTS, P_RELEASE = 8, 200, 0.3


@pytest.mark.neuron
def test_a_synapse_releases_with_its_probability_in_both_simulators():
    """pt_relsyn draws scop_random() in NET_RECEIVE (the event path) and releases when it is below
    p = 0.3: SYNAPSES x EVENTS trials, Binomial(1600, 0.3) releases, 480 +- 5 x 18.3, in each
    simulator; in ours each synapse's own draws (no two counts alike is not asserted: they may tie)."""
    from excitable.model.network import Network

    times = 1.0 + np.arange(EVENTS)  # one event per ms
    cell = ex.Cell.cylinder(length=10.0, diameter=10.0).insert(ex.channels.Leak())
    net = Network([cell])
    for _ in range(SYNAPSES):
        net.spike_train(times, 0, cls("pt_relsyn")(p=P_RELEASE), weight=1e-4, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0, seed=11)
    for k in range(SYNAPSES):
        sim.record(f"pt_relsyn[{k}].released", label=f"r{k}")
    res = sim.run(EVENTS + 5.0)
    ours = [float(np.asarray(res[f"r{k}"]).ravel()[-1]) for k in range(SYNAPSES)]
    h = neuron()
    sec = h.Section(name="relsyn")
    sec.L = sec.diam = 10.0
    sec.insert("pas")
    stim = h.NetStim()
    stim.interval, stim.number, stim.start, stim.noise = 1.0, EVENTS, 0.0, 0.0
    syns = [h.pt_relsyn(sec(0.5)) for _ in range(SYNAPSES)]
    ncs = [h.NetCon(stim, s) for s in syns]
    for s, nc in zip(syns, ncs):
        s.p, nc.delay, nc.weight[0] = P_RELEASE, 1.0, 1e-4
    h.dt, h.secondorder = DT, 0
    h.finitialize(-65.0)
    h.continuerun(EVENTS + 5.0)
    theirs = [s.released for s in syns]
    del ncs, syns, stim
    n = SYNAPSES * EVENTS
    for what, counts in (("excitable", ours), ("NEURON", theirs)):
        assert all(c == int(c) for c in counts), (what, counts)
        within(sum(counts), n * P_RELEASE, np.sqrt(n * P_RELEASE * (1 - P_RELEASE)), f"{what} releases")


def test_what_is_refused_and_what_check_says(tmp_path):
    lines = check_file(mod_file("nm_ou"))[0]
    assert any("random numbers: normrand()" in ln and "seed" in ln for ln in lines)
    assert any("not run" in ln and "new_seed" in ln for ln in lines)
    hoc_only = tmp_path / "hoconly.mod"  # a draw only in a PROCEDURE nothing calls: the class draws nothing
    hoc_only.write_text(mod_file("nm_ou").read_text().replace("SUFFIX nm_ou", "SUFFIX hoconly").replace(
        "g1 = a*g1 + amp*normrand(0, 1)", "g1 = a*g1").replace("set_seed(seed)", "set_seed(seed)\n    g1 = normrand(0, 1)"))
    assert cls("nm_ou").random and not load_mod(hoc_only).random
    text = mod_file("nm_ou").read_text()
    called = tmp_path / "seeded.mod"  # set_seed where a block runs it: the seed is the run's
    called.write_text(text.replace("    g1 = 0\n", "    g1 = 0\n    new_seed(1)\n"))
    with pytest.raises(ModelError, match=r"seeded\.mod:\d+: set_seed\(\)"):
        load_mod(called)
    direct = tmp_path / "initseed.mod"  # set_seed in INITIAL itself (ModelDB 114643's PpInoise.mod): the run's seed
    direct.write_text(text.replace("SUFFIX nm_ou", "SUFFIX initseed").replace("    g1 = 0\n", "    g1 = 0\n    set_seed(5)\n"))
    assert any("set_seed in INITIAL" in ln for ln in check_file(direct)[0])
    sim = ex.Simulation(ex.Cell.cylinder(length=10.0, diameter=10.0).insert(load_mod(direct)()), dt=DT, seed=1)
    sim.record("initseed.g1")
    assert np.array_equal(np.asarray(sim.run(5.0)["initseed.g1"]), np.asarray(ours_ou(seed=1).run(5.0)["nm_ou.g1"]))
    picks = tmp_path / "picks.mod"
    picks.write_text("NEURON { SUFFIX picks RANGE x RANDOM r }\nASSIGNED { x }\n"
                     "BREAKPOINT {\n  x = random_ipick(r, 1, 6)\n}\n")
    with pytest.raises(ModelError, match=r"picks\.mod:4: random_ipick\(\) of a RANDOM variable"):
        load_mod(picks)
    sim = ours_ou()
    with pytest.raises(ModelError, match="draws random numbers"):
        sim.run(1.0, kernel="fused")
    # mod compare: no step-by-step comparison of two streams; a note, the folder's others compared
    picked = select([mod_file("nm_ou"), mod_file("nm_kext")], None)
    assert list(picked.loaded) == ["nm_kext"] and "nm_ou: not compared: draws random numbers (normrand())" in picked.notes[0]
    exp_only = tmp_path / "exponly.mod"  # the note names what the file draws (it said normrand for any)
    exp_only.write_text("NEURON { SUFFIX exponly RANGE x }\nASSIGNED { x }\nBREAKPOINT { x = exprand(1) }\n")
    with pytest.raises(ModelError, match=r"exponly draws random numbers \(exprand\(\)\):"):
        select([exp_only], None)
    with pytest.raises(ModelError, match="nm_ou draws random numbers"):
        select([mod_file("nm_ou")], None)
