"""The cleft: transmitter from successive releases adds up, and a pulse shorter than a step still
delivers its transmitter (clearance-only clefts)."""

import numpy as np

import excitable as ex
from excitable.physics.receptors import AMPA


def cleft_trace(times, **cleft):
    post = ex.Cell.cylinder().insert(ex.Leak(g=0.05, e=-70.0))
    net = ex.Network([post])
    net.spike_train(times, 0, AMPA(), **cleft)
    sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-70.0)
    sim.record("AMPA[0].T")
    res = sim.run(12.0)
    return res.t, res["AMPA[0].T"]


def test_transmitter_from_two_releases_adds_up():
    # Release at 5.0 and 5.5 ms, 0.1-ms pulses, clearance 5 ms: just after the second release
    # T = 1 + exp(-(0.5 - 0.1) / 5) mM (the first release's remainder plus the new one).
    t, T = cleft_trace([5.0, 5.5], pulse=0.1, tau_clear=5.0)
    k = int(np.argmin(np.abs(t - 5.525)))
    expected = 1.0 + np.exp(-(0.5 - 0.1) / 5.0)
    assert abs(T[k] - expected) < 1e-9  # decay starts when the pulse ends (at a step boundary)


def test_pulse_shorter_than_a_step_still_releases():
    t, T = cleft_trace([5.0], pulse=0.0, tau_clear=2.0)
    assert abs(T.max() - 1.0) < 1e-12
    k = int(np.argmax(T))
    # Then pure exponential clearance with tau 2 ms.
    np.testing.assert_allclose(T[k + 40], np.exp(-1.0 / 2.0), rtol=1e-9)


def test_changing_a_delay_reuses_the_compiled_program():
    from excitable.engine import integrate

    def first_release(delay):
        post = ex.Cell.cylinder().insert(ex.Leak(g=0.05, e=-70.0))
        net = ex.Network([post])
        net.spike_train([5.0], 0, AMPA(), delay=delay)
        sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-70.0)
        sim.record("AMPA[0].T")
        res = sim.run(12.0)
        return res.t[np.argmax(res["AMPA[0].T"] > 0)]

    t1 = first_release(1.0)
    n_compiled = len(integrate._COMPILED)
    t2 = first_release(1.5)  # 40 and 60 steps: both fit the 64-step ring
    assert len(integrate._COMPILED) == n_compiled  # delays are parameters, not structure
    assert abs((t2 - t1) - 0.5) < 1e-9 and abs(t1 - 6.025) < 1e-9  # arrival 5 + 1 ms, recorded at step end
