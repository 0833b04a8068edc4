"""More pending self-events than the queue's default 4 (io/nmodl/queue_growth.py, event_queue.py),
side by side with NEURON compiling the same file (nrnivmodl, cached: tests/reference/nrnmech.py).

mod_events/pt_cdur.mod is a transmitter-pulse synapse in the form of Destexhe et al. 1994 (David et
al. 2008's nmdanet.mod, ModelDB's AMPA/NMDA files): every spike sends itself an event Cdur = 30 ms
later, so a burst of n spikes inside Cdur holds n pending at once. NEURON's queue has no bound;
``Simulation.run`` and ``run_batch`` run again with the queue doubled (8, 16, ... up to 64) where it
was full. Compared on an hh compartment (20 x 20 µm, 6.3 °C) driven by a source-less NetCon's
events (NEURON) and ``Network.spike_train`` (ours): mod compare's default train (5 spikes, queue 8)
and 9 spikes 1.5 ms apart (queue 16).

Tolerances: traces within 1e-6 of their range (issue 18; both sides float64 with the same formulas
and event times, so what is left is round-off, 1e-12 or less; a pulse closed by the wrong self-event
or an event dropped is off by 0.1 to 1 of the range); the counts of events sent and come back exact
at every step; spikes at the same steps. A deeper queue changes no number (a free slot is never
delivered): the explicit ``queue=16`` run equals the grown one exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import excitable as ex
from excitable.engine.counts import QueueFull
from excitable.errors import ModelError
from excitable.io.nmodl import load_mod, queue_growth
from excitable.model.network import Network, Site
from tests.io.nmodl.neuron_side import share
from tests.reference.nrnmech import neuron_loaded

PT_CDUR = Path(__file__).parent / "mod_events" / "pt_cdur.mod"
DT, TSTOP, TOL = 0.025, 50.0, 1e-6
WEIGHT = 0.002  # µS: the pulse depolarizes the compartment past threshold (spikes compared)
TRAINS = {5: [2.0, 3.1, 7.3, 7.8, 15.4], 9: list(2.0 + 1.5 * np.arange(9))}  # ms, all inside Cdur = 30 ms
TRACES = ("v", "R", "synon", "nback", "nsent")


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.ptp(b)


@pytest.fixture
def fresh(monkeypatch):
    """No size remembered from other runs: each run here starts at the class's own queue."""
    monkeypatch.setattr(queue_growth, "_GROWN", {})


def mods(queue=None):
    return load_mod([PT_CDUR, share() / "modfile" / "hh.mod"], queue=queue)


def simulation(times, queue=None):
    m = mods(queue)
    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(m.hh())
    net = Network([cell])
    net.spike_train(times, 0, m.pt_cdur(), weight=WEIGHT, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=DT, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    for k in TRACES[1:]:
        sim.record(f"pt_cdur[0].{k}", label=k)
    return sim


def neuron_run(times):
    """NEURON: pt_cdur on an hh compartment, fed ``times`` by a source-less NetCon."""
    h = neuron_loaded([PT_CDUR], "nrnmech-queue", "pt_cdur.mod")
    sec = h.Section(name="pt_cdur_cell")
    sec.L = sec.diam = 20.0
    sec.insert("hh")
    h.usetable_hh = 0
    syn = h.pt_cdur(sec(0.5))
    nc = h.NetCon(None, syn)
    nc.weight[0] = WEIGHT
    fih = h.FInitializeHandler(lambda: [nc.event(t) for t in times])
    rec = {"v": h.Vector().record(sec(0.5)._ref_v)}
    rec.update({k: h.Vector().record(getattr(syn, f"_ref_{k}")) for k in TRACES[1:]})
    h.dt, h.secondorder, h.celsius = DT, 0, 6.3
    h.finitialize(-65.0)
    h.continuerun(TSTOP)
    ref = {k: np.array(x) for k, x in rec.items()}
    del fih  # the handler had to live through finitialize (NEURON drops one no one holds)
    return ref


def upward(v):
    """The samples after each upward 0-mV crossing."""
    return list(np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0)) + 1)


@pytest.mark.parametrize("n, grown", [(5, 8), (9, 16)])
def test_bursts_inside_cdur_run_as_neurons(n, grown, fresh):
    ours = simulation(TRAINS[n]).run(TSTOP)
    ref = neuron_run(TRAINS[n])
    assert ref["nsent"][-1] == ref["nback"][-1] == n  # every self-event came back in NEURON's run
    for k in ("nsent", "nback"):
        assert np.array_equal(ours[k], ref[k]), k  # the same counts at every step
    for k in ("v", "R", "synon"):
        assert rel(ours[k], ref[k]) < TOL, (k, rel(ours[k], ref[k]))
    assert upward(ref["v"]) and upward(ours["v"]) == upward(ref["v"])
    (cls,) = [c for c in queue_growth._GROWN if c.__name__ == "pt_cdur" and c.queue_size == 4]
    assert queue_growth._GROWN[cls].queue_size == grown  # doubled until the burst fitted


def test_the_explicit_queue_gives_the_same_numbers_without_a_rerun(fresh):
    grown = simulation(TRAINS[9]).run(TSTOP)
    explicit = simulation(TRAINS[9], queue=16)
    assert type(explicit.parameters()["channels"]["pt_cdur"]).queue_size == 16
    ours = explicit.run(TSTOP)
    assert not any(c.queue_size == 16 for c in queue_growth._GROWN)  # 16 itself never grew
    for k in TRACES:
        assert np.array_equal(ours[k], grown[k]), k


def test_a_run_beyond_the_cap_is_refused_in_one_line(fresh):
    """65 spikes 0.25 ms apart inside Cdur: 65 pending, one more than the cap; loaded at the cap
    the run is refused at once, naming the instance, the file:line of its net_send, the size and
    how to raise it."""
    line = next(n for n, text in enumerate(PT_CDUR.read_text().splitlines(), 1) if "net_send(" in text)
    sim = simulation(list(1.0 + 0.25 * np.arange(queue_growth.CAP + 1)), queue=queue_growth.CAP)
    with pytest.raises(ModelError, match=rf"^pt_cdur\[0\]: more than 64 self-events pending at once \(its queue, "
                                         rf"filled by .*pt_cdur\.mod:{line}; .*ex\.load_mod\(path, queue=128\)") as err:
        sim.run(20.0)
    assert "\n" not in str(err.value)


def test_a_batch_grows_and_a_function_starts_where_runs_left_it(fresh):
    """run_batch grows the queue as run does (element 1 is the 9-spike run; element 0, Cdur 1 ms,
    never holds more than one). A function cannot run again: made before any run grew the class,
    called with numbers it refuses in one line naming the element, and under jit it gives NaN for
    that element only; made after, it starts at the grown queue and gives the batch's numbers."""
    import jax

    from excitable.engine.batch import broadcast, with_param

    sim = simulation(TRAINS[9])
    batch = with_param(broadcast(sim.parameters(), 2), "pt_cdur.Cdur", np.array([1.0, 30.0]))
    f = sim.function(TSTOP, batched=True)
    with pytest.raises(QueueFull, match=r"^batch element 1 of 2: pt_cdur\[0\]: \d+ self-event\(s\) found its queue "
                                        r"full .*load the \.mod file with a deeper queue"):
        f(batch)
    rec = np.asarray(jax.jit(f)(batch))
    assert np.all(np.isfinite(rec[0])) and np.all(np.isnan(rec[1]))
    many = sim.run_batch(TSTOP, batch)
    one = simulation(TRAINS[9]).run(TSTOP)
    for k in TRACES:
        assert np.max(np.abs(many[k][1] - one[k])) <= 1e-12 * np.ptp(one[k]), k
    assert many["nback"][0][-1] == 9 and many["nsent"][1][-1] == 9
    grown = np.asarray(jax.jit(sim.function(TSTOP, batched=True))(batch))  # the user's parameters, as loaded
    for k, trace in enumerate(TRACES):  # probes in the order recorded
        assert np.array_equal(grown[:, :, k], many[trace]), trace  # a deeper queue changes no number


def test_queue_must_be_a_whole_number_in_range():
    for bad in (0, -1, 2.5, float("nan"), float("inf"), "8", True, 10 ** 6):
        with pytest.raises(ModelError, match=r"^load_mod: queue must be a whole number of self-events from 1 to 1024, "
                                             rf"got {re.escape(repr(bad))}$"):
            load_mod(PT_CDUR, queue=bad)
