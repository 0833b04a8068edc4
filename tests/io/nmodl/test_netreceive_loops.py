"""FROM loops in NET_RECEIVE (refused before): a loop of assignments runs as a loop anywhere else does,
its bounds constant or a PARAMETER (unrolled) or known only in the run (io/nmodl/runtime_loops.py),
on a point process and in an ARTIFICIAL_CELL. What a loop would run more than once that holds one
value per call site here is refused with its line: an event call (``FROM k = 1 TO 3 { net_send(0.5*k,
k) }`` gave one self-event, at the last delay, where three were sent), a WATCH, FOR_NETCONS and FROM
nested in each other.

Reference: NEURON 9.0.2 compiling the same files, side by side by ``compare_mods`` (``mod compare``'s
protocol: an hh compartment driven by events of weight 0.004 uS at 2, 6, 9, 12.5 and 17.5 ms; the
artificial cell's spikes and arrays). Tolerance 1e-9 of each trace's range: both sides float64 with
the same expressions (2.6e-13 measured); the arrays and the counters are the same sums in the same
order: exact. A loop run once, or not at all, leaves a[1] and a[2] at 0 against NEURON's nonzero sums.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from excitable.errors import ModelError
from excitable.io.nmodl import load_mod
from excitable.io.nmodl.check import check_file

HERE = Path(__file__).parent / "mod_events"
FILES = [HERE / f"{n}.mod" for n in ("nr_from", "nr_fromrt", "nr_fromart")]
TIMES = "2,6,9,12.5,17.5"  # ms: five events, so fmod(n, 4) wraps to 0 and the run-time loop shrinks
WEIGHT = 0.004  # uS: fires the hh compartment; takes the artificial cell's a[2] past thr twice
RTOL = 1e-9


@pytest.mark.neuron
def test_loops_in_net_receive_run_as_neuron():
    from excitable.workflows.neuron_compare import compare_mods

    result = compare_mods(FILES, spikes=TIMES, weight=WEIGHT, tolerance=RTOL)
    assert result.agrees and result.rows, result.report()
    rows = {r.trace: r.difference for r in result.rows}
    exact = ({f"nr_from.a[{k}]" for k in range(3)} | {f"nr_fromrt.a[{k}]" for k in range(4)}
             | {f"nr_fromart.a[{k}]" for k in range(3)} | {"nr_from.n", "nr_fromrt.n", "nr_fromart.n"})
    assert exact | {"nr_from.g", "nr_fromrt.g", "v"} <= set(rows), sorted(rows)
    assert all(rows[e] == 0.0 for e in exact), {e: rows[e] for e in exact}
    assert max(rows.values()) < RTOL
    spikes = {name: (ours, theirs) for name, ours, theirs in result._sets()}
    assert any(len(theirs) >= 2 and list(ours) == list(theirs) for name, (ours, theirs) in spikes.items()
               if "nr_fromart" in name), spikes  # the artificial cell fires as NEURON's, at the same times


HEAD = """NEURON {{ {kind} lp RANGE n }}
PARAMETER {{ thr = 1 }}
ASSIGNED {{ n }}
INITIAL {{ n = 0 }}
NET_RECEIVE(w) {{
    LOCAL k
{body}
}}
"""


@pytest.mark.parametrize("kind, body, what", [
    # NEURON's nocmodl writes net_send's delay as (t + k)*0.5 here: NEURON stops ("net_send td-t = -1")
    ("POINT_PROCESS", "    if (flag == 0) {\n        FROM k = 1 TO 3 {\n            net_send(0.5*k, k)\n        }\n    }",
     "net_send() inside a FROM loop in NET_RECEIVE"),
    ("ARTIFICIAL_CELL", "    FROM k = 0 TO 1 { net_event(t) }", "net_event() inside a FROM loop in NET_RECEIVE"),
    ("POINT_PROCESS", "    FROM k = 0 TO 1 {\n        FOR_NETCONS(w1) { w1 = 0.5*w1 }\n    }",
     "FOR_NETCONS inside a FROM loop in NET_RECEIVE"),
])
def test_what_a_loop_would_repeat_is_refused_with_its_line(tmp_path, kind, body, what):
    path = tmp_path / "lp.mod"
    path.write_text(HEAD.format(kind=kind, body=body))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if re.search(r"\b(net_send|net_event|FOR_NETCONS)\b", text))
    message = rf"^{re.escape(str(path))}:{line}: {re.escape(what)} not supported"
    with pytest.raises(ModelError, match=message):
        load_mod(path)
    report, bad = check_file(path)
    assert bad >= 1 and any(re.match(message, r.strip()) for r in report), report


def test_batch_and_gradient_through_a_run_time_loop():
    """A vmapped batch over the events' weight equals the runs one by one (1e-12 of V's range: one
    program's round-off); d(mean V)/d(weight) by jax.grad through the loop's masked trips equals a
    central difference (V stays below threshold, smooth in the weight: a step of 1e-7 uS, 3e-4 of the
    weight, leaves truncation below 1e-7 of the derivative, inside the 1e-6 asked), and is not 0."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    import excitable as ex
    from excitable.model.network import Network, Site
    from tests.io.nmodl.neuron_side import mod_file

    cell = ex.Cell.cylinder(length=20.0, diameter=20.0).insert(load_mod(mod_file("hh"))())
    net = Network([cell])
    net.spike_train([2.0, 6.0, 9.0, 12.5], 0, load_mod(FILES[1])(), weight=0.0003, t_max=0.0, pulse=0.0)
    sim = ex.Simulation(net, dt=0.025, temperature=6.3, v_init=-65.0)
    sim.record("v", Site(0, cell.soma), label="v")
    run, base = sim.function(15.0), sim.parameters()

    def v_at(w):
        syn = base["syn"]["nr_fromrt"]
        return run({**base, "syn": {**base["syn"], "nr_fromrt": {**syn, "weight": jnp.broadcast_to(w, syn["weight"].shape)}}})[:, 0]

    weights = jnp.array([0.0003, 0.00015])
    many = np.asarray(jax.vmap(v_at)(weights))
    one = [np.asarray(v_at(w)) for w in weights]
    assert np.ptp(one[0]) > 1.0 and one[0].max() < -40.0  # mV: the events move V, below threshold
    for k in range(2):
        assert np.max(np.abs(many[k] - one[k])) < 1e-12 * np.ptp(one[k]), k
    mean_v = lambda w: jnp.mean(v_at(w))
    g, step = float(jax.grad(mean_v)(weights[0])), 1e-7
    fd = (float(mean_v(weights[0] + step)) - float(mean_v(weights[0] - step))) / (2 * step)
    assert g != 0 and abs(g - fd) < 1e-6 * abs(fd), (g, fd)
