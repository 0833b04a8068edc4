"""Synaptic events in the engine: delays, Tsodyks-Markram, stochastic release, batches, gradients,
and a small network side by side with NEURON (Exp2Syn + NetCon)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import excitable as ex
from excitable.engine.batch import broadcast
from excitable.model.network import Network, Site
from excitable.physics.receptors import AMPA, Exp2Syn
from tests.conftest import neuron_h

DT = 0.025


def passive():
    return ex.Cell.cylinder().insert(ex.Leak(g=0.05, e=-70.0))


def hh_driven(net, sim, cell, amp_uA_cm2=10.0, **kw):
    c = net.cells[cell]
    sim.stimulate(ex.IClamp(c.soma, amplitude=c.density_to_nA(amp_uA_cm2, c.soma), **kw), cell=cell)


def exp2syn_g(t, t0, w, tau1, tau2):
    """Closed form of Exp2Syn after one event of weight w (uS) at t0: peak w at t_peak."""
    tp = tau1 * tau2 / (tau2 - tau1) * np.log(tau2 / tau1)
    factor = 1.0 / (np.exp(-tp / tau2) - np.exp(-tp / tau1))
    s = np.maximum(t - t0, 0.0)
    return np.where(t >= t0, w * factor * (np.exp(-s / tau2) - np.exp(-s / tau1)), 0.0)


def test_a_spike_arrives_exactly_delay_later():
    # Node source (event-driven path) and an external train (dense path), delays in whole steps.
    net = Network([ex.Cell.cylinder().insert(ex.HH()), passive()])
    net.connect(0, 1, Exp2Syn(tau1=0.5, tau2=2.0), delay=1.3, weight=0.001, t_max=0.0, pulse=0.0)
    net.spike_train([5.0], 1, Exp2Syn(tau1=0.4, tau2=3.0), delay=2.0, weight=0.001, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    hh_driven(net, sim, 0, delay=2.0, duration=1.0)
    sim.record("Exp2Syn[0].g", label="g_node")
    sim.record("Exp2Syn[1].g", label="g_train")
    sim.record_spikes([0])
    res = sim.run(15.0)
    t_spike = res.spikes[0][0]  # end of the step in which V crossed 0 mV (NEURON's NetCon time)
    # The conductance probe shows g as each step used it (the states at the step's start), so the
    # sample at t is g(t - dt). Exp2Syn is integrated exactly (exponential Euler of linear decays):
    # the traces are the closed form of an event at spike + delay, to rounding.
    for label, t0, tau1, tau2 in (("g_node", t_spike + 1.3, 0.5, 2.0), ("g_train", 5.0 + 2.0, 0.4, 3.0)):
        expected = exp2syn_g(res.t - DT, t0, 0.001, tau1, tau2)
        np.testing.assert_allclose(res[label], expected, rtol=0, atol=1e-15)
        assert res[label].max() == pytest.approx(0.001, rel=1e-3)  # the peak is the weight


def tm_ratio(rate_hz, U=0.5, tau_rec=800.0):
    """PHENOMENA-SPEC row 29: steady/first = (1 - e^(-1/(r tau))) / (1 - (1-U) e^(-1/(r tau)))."""
    e = np.exp(-1000.0 / (rate_hz * tau_rec))
    return (1 - e) / (1 - (1 - U) * e)


def release_peaks(trace, t, times, dt):
    """Transmitter (t_max x released amount) in the step each spike arrives."""
    return np.array([trace[int(round(s / dt))] for s in times])


def test_depression_steady_over_first_matches_row_29_from_spike_trains():
    # External trains: 20 spikes at 1-40 Hz, U 0.5, tau_rec 800 ms (row 29), no facilitation. The
    # released amount is read from the cleft (t_max x amount during the 1-ms pulse, square: gone
    # before the next spike), so this is release itself, not an EPSC.
    rates = (1.0, 2.5, 5.0, 10.0, 20.0, 40.0)
    net = Network([passive()])
    trains = {r: 100.0 + np.arange(20) * 1000.0 / r for r in rates}
    for r in rates:
        net.spike_train(trains[r], 0, AMPA(gmax=0.0), U=0.5, tau_rec=800.0, pulse=1.0, tau_clear=0.0)
    dt = 0.25  # every spike time is a whole number of steps; the synapse is exact at any dt
    sim = ex.Simulation(net, dt=dt, temperature=6.3, v_init=-70.0)
    for k in range(len(rates)):
        sim.record(f"AMPA[{k}].T", label=f"T{k}")
    res = sim.run(100.0 + 20 * 1000.0 + 50.0, stride=1)
    for k, r in enumerate(rates):
        peaks = release_peaks(res[f"T{k}"], res.t, trains[r] + dt, dt)
        assert peaks[0] == pytest.approx(0.5, abs=1e-12)  # U x 1 mM
        assert abs(peaks[-1] / peaks[0] - tm_ratio(r)) < 1e-3, r


def test_depression_steady_over_first_matches_row_29_from_spiking_cells():
    # Node sources (the event-driven path): presynaptic HH cells paced by brief pulses.
    rates = (10.0, 20.0, 40.0)
    net = Network([ex.Cell.cylinder().insert(ex.HH()) for _ in rates] + [passive()])
    post = len(rates)
    for k in range(len(rates)):
        net.connect(k, post, AMPA(gmax=0.0), delay=1.0, U=0.5, tau_rec=800.0, pulse=1.0, tau_clear=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    for k, r in enumerate(rates):
        c = net.cells[k]
        sim.stimulate(ex.PulseTrain(c.soma, amplitude=c.density_to_nA(40.0, c.soma), delay=5.0, width=0.5,
                                    interval=1000.0 / r, count=20), cell=k)
        sim.record(f"AMPA[{k}].T", label=f"T{k}")
    sim.record_spikes(range(len(rates)))
    res = sim.run(5.0 + 20 * 100.0 + 20.0)
    for k, r in enumerate(rates):
        times = res.spikes[k]
        assert len(times) == 20
        peaks = release_peaks(res[f"T{k}"], res.t, times + 1.0 + DT, DT)
        # The spike times wander by a step or two between pulses (HH recovery): x moves by
        # dt / tau_rec ~ 3e-5 per step, far inside 1e-3.
        assert abs(peaks[-1] / peaks[0] - tm_ratio(r)) < 1e-3, r


def stochastic_net(n_pre=20):
    """``n_pre`` spiking HH cells (more fan-out rows than one round: the while-loop path) and 5
    external trains, all onto one Exp2Syn of a passive cell; release probability 0.3, depression."""
    net = Network([ex.Cell.cylinder().insert(ex.HH()) for _ in range(n_pre)] + [passive()])
    post = n_pre
    syn = net.synapse(Exp2Syn(tau1=0.5, tau2=4.0), post, t_max=0.0, pulse=0.0)
    for k in range(n_pre):
        net.connect(k, post, synapse=syn, delay=1.0, weight=0.001, p=0.3, U=0.5, tau_rec=100.0)
    rng = np.random.default_rng(0)
    for _ in range(5):
        net.spike_train(np.sort(rng.uniform(1.0, 60.0, 8)), post, synapse=syn, weight=0.001, p=0.3)
    return net


def stochastic_sim(seed=0, stochastic=True):
    net = stochastic_net()
    sim = ex.Simulation(net, dt=DT, temperature=6.3, stochastic=stochastic, seed=seed)
    for k in range(20):
        hh_driven(net, sim, k, amp_uA_cm2=8.0 + 0.4 * k, delay=1.0, duration=60.0)
    sim.record("Exp2Syn[0].g", label="g")
    return sim


def test_stochastic_release_is_seedable():
    a = stochastic_sim(seed=1).run(70.0)["g"]
    b = stochastic_sim(seed=1).run(70.0)["g"]
    c = stochastic_sim(seed=2).run(70.0)["g"]
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-4  # uS: at least one release differs
    assert a.max() > 0 and c.max() > 0


@pytest.mark.slow  # ~20 s: many stochastic runs
def test_mean_mode_is_the_average_of_stochastic_runs():
    # The readout (Exp2Syn conductance) is linear in the released amounts, and x, u do not depend
    # on whether a release succeeded, so the expectation over seeds is exactly the mean-mode run.
    n = 96
    sim = stochastic_sim()
    params = sim.parameters()
    batch = {**broadcast(params, n), "seed": jnp.arange(n, dtype=jnp.uint32)}
    runs = sim.run_batch(70.0, batch)["g"]  # (n, samples)
    mean = stochastic_sim(stochastic=False).run(70.0)["g"]
    area = runs.sum(axis=1) * DT  # uS ms per run
    se = area.std(ddof=1) / np.sqrt(n)
    # Stated tolerance: 4 standard errors of the mean over 96 runs (about 1 %).
    assert abs(area.mean() - mean.sum() * DT) < 4 * se
    assert se / area.mean() < 0.02


def test_batch_equals_separate_runs_on_the_event_path():
    sim = stochastic_sim(stochastic=False)
    base = sim.parameters()
    w = np.array([0.001, 0.003])
    batch = broadcast(base, 2)
    batch["syn"] = {"Exp2Syn": {**batch["syn"]["Exp2Syn"], "weight": jnp.asarray(w)[:, None]
                                * jnp.ones_like(batch["syn"]["Exp2Syn"]["weight"])}}
    together = sim.run_batch(70.0, batch)["g"]
    for i in range(2):
        p = {**base, "syn": {"Exp2Syn": {**base["syn"]["Exp2Syn"],
                                         "weight": jnp.full_like(base["syn"]["Exp2Syn"]["weight"], w[i])}}}
        np.testing.assert_allclose(together[i], sim.run(70.0, params=p)["g"], atol=1e-12, rtol=0)


def test_gradient_through_a_small_network_matches_finite_differences():
    net = Network([ex.Cell.cylinder().insert(ex.HH()), passive()])
    net.connect(0, 1, AMPA(gmax=0.002), delay=1.0, U=0.5, tau_rec=100.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    hh_driven(net, sim, 0, delay=1.0, duration=20.0)
    sim.record("v", Site(1, net.cells[1].soma), label="post")
    f = sim.function(25.0)
    base = sim.parameters()

    def loss(gmax):
        p = {**base, "channels": {**base["channels"], "AMPA": base["channels"]["AMPA"].__class__(
            **{**base["channels"]["AMPA"].parameters(), "gmax": gmax})}}
        return jnp.sum(f(p)[:, 0]) * DT

    g0 = jnp.asarray([0.002])
    grad = jax.grad(lambda g: loss(g))(g0)[0]
    h = 1e-6
    fd = (loss(g0 + h) - loss(g0 - h)) / (2 * h)
    assert float(grad) == pytest.approx(float(fd), rel=1e-5)


def test_one_synapse_matches_neuron_to_round_off():
    # HH -> Exp2Syn (0.5/2 ms) on an HH cell, NetCon delay 1 ms: NEURON's fixed step delivers the
    # event at the same step, so the postsynaptic V agrees to round-off.
    h = neuron_h()
    net = Network([ex.Cell.cylinder().insert(ex.HH()), ex.Cell.cylinder().insert(ex.HH())])
    net.connect(0, 1, Exp2Syn(tau1=0.5, tau2=2.0), delay=1.0, weight=0.0002, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    amp = net.cells[0].density_to_nA(10.0, net.cells[0].soma)
    sim.stimulate(ex.IClamp(net.cells[0].soma, amplitude=amp, delay=2.0, duration=1.0))
    sim.record("v", Site(1, net.cells[1].soma), label="post")
    ours = sim.run(15.0)["post"]
    secs = []
    for i in range(2):
        s = h.Section(name=f"syn_test{i}")
        s.L = s.diam = 20.0
        s.insert("hh")
        secs.append(s)
    h.usetable_hh = 0
    st = h.IClamp(secs[0](0.5))
    st.delay, st.dur, st.amp = 2.0, 1.0, amp
    syn = h.Exp2Syn(secs[1](0.5))
    syn.tau1, syn.tau2, syn.e = 0.5, 2.0, 0.0
    nc = h.NetCon(secs[0](0.5)._ref_v, syn, sec=secs[0])
    nc.threshold, nc.delay, nc.weight[0] = 0.0, 1.0, 0.0002
    v = h.Vector().record(secs[1](0.5)._ref_v)
    h.dt, h.celsius, h.secondorder = DT, 6.3, 0
    h.finitialize(-65.0)
    h.continuerun(15.0)
    assert np.ptp(ours) > 0.5  # a visible EPSP
    np.testing.assert_allclose(ours, np.array(v), atol=1e-9, rtol=0)


def test_a_small_network_matches_neuron_spike_for_spike():
    # 40 HH cells, 10 random inputs each (Exp2Syn excitatory and inhibitory, delays 1-3 ms), each
    # cell driven by its own steady current; 100 ms. Same fixed-step method on both sides, so every
    # spike lands on the same step.
    h = neuron_h()
    n, k_in, tstop = 40, 10, 100.0
    rng = np.random.default_rng(5)
    pre = np.array([np.setdiff1d(np.arange(n), [j])[rng.choice(n - 1, k_in, replace=False)] for j in range(n)])
    delay = rng.integers(40, 121, size=(n, k_in)) * DT
    amp = np.linspace(6.0, 12.0, n)
    exc = pre < 32
    w_e, w_i = 0.002, 0.004  # uS

    cells = [ex.Cell.cylinder().insert(ex.HH()) for _ in range(n)]
    net = Network(cells)
    for j in range(n):
        e = net.synapse(Exp2Syn(tau1=0.5, tau2=2.0, e=0.0), j, t_max=0.0, pulse=0.0)
        i = net.synapse(Exp2Syn(tau1=0.5, tau2=5.0, e=-80.0), j, t_max=0.0, pulse=0.0)
        for a, d, x in zip(pre[j], delay[j], exc[j]):
            net.connect(int(a), j, synapse=e if x else i, delay=float(d), weight=w_e if x else w_i)
    sim = ex.Simulation(net, dt=DT, temperature=6.3)
    for j in range(n):
        hh_driven(net, sim, j, amp_uA_cm2=amp[j], duration=tstop)
    sim.record_spikes()
    ours = sim.run(tstop).spikes

    h.usetable_hh = 0
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    secs, keep = [], []
    for j in range(n):
        s = h.Section(name=f"c{j}")
        s.L = s.diam = 20.0
        s.insert("hh")
        st = h.IClamp(s(0.5))
        st.delay, st.dur, st.amp = 0.0, tstop, cells[j].density_to_nA(amp[j], cells[j].soma)
        es, isyn = h.Exp2Syn(s(0.5)), h.Exp2Syn(s(0.5))
        es.tau1, es.tau2, es.e = 0.5, 2.0, 0.0
        isyn.tau1, isyn.tau2, isyn.e = 0.5, 5.0, -80.0
        secs.append(s)
        keep.append((st, es, isyn))
    recs = []
    for j in range(n):
        for a, d, x in zip(pre[j], delay[j], exc[j]):
            nc = h.NetCon(secs[a](0.5)._ref_v, keep[j][1] if x else keep[j][2], sec=secs[a])
            nc.threshold, nc.delay, nc.weight[0] = 0.0, float(d), w_e if x else w_i
            keep.append(nc)
    for j in range(n):
        vec = h.Vector()
        nc = h.NetCon(secs[j](0.5)._ref_v, None, sec=secs[j])
        nc.threshold = 0.0
        nc.record(vec)
        recs.append((nc, vec))
    h.finitialize(-65.0)
    h.continuerun(tstop)
    total = 0
    for j in range(n):
        theirs = np.array(recs[j][1])
        assert len(ours[j]) == len(theirs), j
        np.testing.assert_allclose(ours[j], theirs, atol=0.5 * DT)
        total += len(theirs)
    assert total > 100  # the network is active
