"""gates-overlap: m^3 h and n^4 during the HH spike, and Na+ charge vs C dV (PHENOMENA-SPEC rows 31, 36).

Anchors: overlap (both above 10 % of their peaks) 2.07 ms at 6.3 degC, +/- 0.1 ms (in-house). Charges,
+/- 3 %: the spec quotes 13.5-13.7 x Cm dV (6.3 degC) and 4.4-4.5 x (18.5 degC); an independent SciPy
run (RK45, rtol 1e-10, 1-ms pulse at 2x threshold) reproduces those only when the *raw* INa integral is
taken over ~30-40 ms after onset, which includes the resting Na+ leak (-1.23 uA/cm2). The charge the
spike itself adds (INa minus its resting value) is 1.388 uC/cm2 = 13.24 x Cm dV at 6.3 degC and
0.377 uC/cm2 = 4.00 x at 18.5 degC (window-independent); both definitions are checked.
"""

import pytest

from excitable import experiments
from excitable.experiments.excitability.all_or_none_search import predicted
from tests.experiments import assert_signals_recorded


@pytest.fixture(scope="module")
def hh():
    return experiments.run("gates-overlap", model="hh")  # dt 0.01 ms (default), 6.3 and 18.5 degC


def test_overlap_interval(hh):
    s = hh.summary
    assert s["temperatures_degC"] == [6.3, 18.5]
    assert abs(s["overlap_ms"] - 2.07) <= 0.1
    # Both populations are well above their rest levels during the overlap, and Na+ opens first.
    assert s["na_open_window_ms"][0] < s["k_open_window_ms"][0] < s["na_open_window_ms"][1]
    assert abs(s["peak_gna_mS_cm2"] / 32.6 - 1) < 0.03  # spec section 1: peak gNa 32.6 mS/cm2
    # Faster gates at 18.5 degC: a much shorter overlap.
    assert s["overlap_ms_by_temperature"][1] < 0.5 * s["overlap_ms"]


def test_na_charge_against_cm_dv(hh):
    s = hh.summary
    excess = s["na_charge_uC_cm2_by_temperature"]
    ratio = s["na_charge_ratio_by_temperature"]
    assert abs(excess[0] / 1.388 - 1) < 0.03 and abs(ratio[0] / 13.24 - 1) < 0.03
    assert abs(excess[1] / 0.377 - 1) < 0.03 and abs(ratio[1] / 4.00 - 1) < 0.03
    raw = s["na_charge_raw_ratio_by_temperature"]
    assert 13.5 * 0.97 <= raw[0] <= 13.7 * 1.03
    assert 4.4 * 0.97 <= raw[1] <= 4.5 * 1.03
    # 1 uC/cm2 of Na+ = 10.364 pmol/cm2 (Faraday).
    assert abs(s["na_charge_pmol_cm2"] / (s["na_charge_uC_cm2"] * 10.3643) - 1) < 1e-4


def test_summary_is_json(hh):
    import json

    assert json.loads(hh.to_json())["overlap_ms"] == pytest.approx(hh.summary["overlap_ms"], rel=1e-5)


def test_the_declared_signals_are_recorded(hh):
    assert_signals_recorded(hh)


def test_a_temperature_move_is_seeded_by_the_nearest_threshold_and_finds_the_unseeded_one(monkeypatch):
    """The threshold search of a moved temperature starts from a guess: the line through the two
    nearest temperatures' thresholds (``all_or_none_search.predicted``), or, as before it, the
    nearest one's (``nearest``). Reference: the unseeded search at the same temperature (memory
    emptied first). All stop with the threshold inside a bracket no wider than 1e-4 x its upper
    end, i.e. within 5e-5 x threshold of the true one, so they agree within 1e-4 x threshold
    (/(1 - 1e-4)). The squid axon above 25 degC moves the threshold most: from 30 degC (39.7
    uA/cm2) to 27 (18.4) and 33 (90) the nearest seed is more than 2x off, outside its fan, so the
    search must widen rather than trust it; 33 -> 33.5 is a slider step."""
    import math

    from excitable import experiments
    from excitable.experiments.excitability import all_or_none_search as finder

    seeds_seen, search = [], finder.search

    def spy(peaks_of, uppers, tolerance, level, what, seeds=None):
        seeds_seen.append(seeds)
        return search(peaks_of, uppers, tolerance, level, what, seeds)

    def threshold(temperature):
        return experiments.run("gates-overlap", model="hh", temperature=temperature).summary["threshold_uA_cm2"][0]

    monkeypatch.setattr(finder, "search", spy)
    moves = [30.0, 27.0, 33.0, 33.5]
    unseeded = {}
    for t in moves:
        finder.forget()
        unseeded[t] = threshold(t)
    assert all(s is None for seeds in seeds_seen for s in seeds)
    seeded, guesses = {}, {}
    for guess in ("predicted", "nearest"):
        finder.forget()
        seeds_seen.clear()
        monkeypatch.setattr(finder, "predicted", getattr(finder, guess) if guess == "nearest" else predicted)
        seeded[guess] = {t: threshold(t) for t in moves}
        guesses[guess] = seeds_seen[1:]
        assert seeds_seen[0] == [None, None]  # the first run: 30 and 18.5 degC, nothing remembered
        for t in moves:
            assert abs(seeded[guess][t] - unseeded[t]) <= 1e-4 * unseeded[t] / (1 - 1e-4), (guess, t)
    finder.forget()
    # The nearest temperature's threshold, as remembered before each move.
    assert guesses["nearest"] == [[unseeded[30.0]], [unseeded[30.0]], [seeded["nearest"][33.0]]]
    assert unseeded[30.0] / unseeded[27.0] > finder.SEED_SPAN  # the wrong seeds, outside their fans
    assert unseeded[33.0] / unseeded[30.0] > finder.SEED_SPAN
    # 27 -> 33 (30 and 27 remembered): the line's guess is nearer the threshold than 30's.
    off = {g: abs(math.log(guesses[g][1][0] / unseeded[33.0])) for g in guesses}
    assert off["predicted"] < 0.5 * off["nearest"], off


def test_another_slider_move_is_seeded_at_each_temperature_and_finds_the_unseeded_thresholds(monkeypatch):
    """Half the K+ channels blocked (gK_scale 1 -> 0.5, both temperatures searched together, 16
    amplitudes each): each search is seeded with the threshold at the same temperature before the
    move, and lands within 1e-4 x threshold of the unseeded search (the stopping rule's bound, as
    above)."""
    from excitable import experiments
    from excitable.experiments.excitability import all_or_none_search as finder

    seeds_seen, search = [], finder.search

    def spy(peaks_of, uppers, tolerance, level, what, seeds=None):
        seeds_seen.append(seeds)
        return search(peaks_of, uppers, tolerance, level, what, seeds)

    def thresholds(**given):
        return experiments.run("gates-overlap", model="hh", **given).summary["threshold_uA_cm2"]

    monkeypatch.setattr(finder, "search", spy)
    finder.forget()
    unseeded = thresholds(gK_scale=0.5)
    finder.forget()
    before = thresholds()
    seeded = thresholds(gK_scale=0.5)
    finder.forget()
    assert seeds_seen == [[None, None], [None, None], before]
    for a, b in zip(seeded, unseeded):
        assert abs(a - b) <= 1e-4 * b / (1 - 1e-4)


def test_the_ladders_of_lengths():
    """run_length: the smallest rung (anchor x 2^(k/q), rounded, q rungs per octave) at least n:
    never fewer steps than asked, at most 2^(1/q) x as many (+1 for the rounding), the anchor (the
    default run) a rung, the same rung for every n between two rungs; n itself past two engine
    chunks. Every rung of the measured run's ladder (q = 2) is one of the search's (q = 4)."""
    from excitable.engine.run import CHUNK_STEPS
    from excitable.experiments.excitability.gates_overlap import RUNGS_PER_OCTAVE, SEARCH_RUNGS_PER_OCTAVE, run_length

    anchor, top = 3500, 2 * CHUNK_STEPS
    ladders = {}
    for q in (RUNGS_PER_OCTAVE, SEARCH_RUNGS_PER_OCTAVE):
        rungs = ladders[q] = {run_length(n, anchor, q) for n in range(1, top + 1)}
        assert anchor in rungs and len(rungs) < 80  # a handful of programs, not one per length
        for n in (1, 2, 500, 619, 620, 3499, 3500, 3501, 4950, 4951, 15000, top):
            m = run_length(n, anchor, q)
            assert n <= m <= 2 ** (1 / q) * n + 1 and m in rungs
            assert not any(n <= r < m for r in rungs)  # the smallest rung that holds n
        assert run_length(top + 1, anchor, q) == top + 1
    assert all(run_length(r, anchor, SEARCH_RUNGS_PER_OCTAVE) == r for r in ladders[RUNGS_PER_OCTAVE])


_COMPILES = []


def _count_compiles():
    """A list that grows by one per XLA compilation (or executable loaded from JAX's disk cache)."""
    if not _COMPILES:
        from jax import monitoring

        _COMPILES.append(None)
        monitoring.register_event_duration_secs_listener(
            lambda name, secs, **kw: _COMPILES.append(name) if name.endswith("backend_compile_duration") else None)
    return _COMPILES


def test_delay_and_window_moves_run_on_the_ladder_bit_for_bit_and_compile_nothing(monkeypatch):
    """A delay or window move runs a rung of the ladder cut after its own steps. Reference: the
    path before the ladder, a program of the run's own length (run_length monkeypatched to
    return n): summaries and traces equal exactly (tolerance 0: the same scan, step by step, and
    the steps added come after the last sample kept; the threshold criterion reads the same
    samples). Moves that land on a rung met before compile nothing (before the ladder each one
    compiled its search's and its measured run's programs)."""
    import numpy as np

    from excitable.experiments.excitability import all_or_none_search as finder
    from excitable.experiments.excitability import gates_overlap

    def fresh(**given):  # every search unseeded, so both paths search alike (a seed moves the
        finder.forget()  # threshold within the search's tolerance, not bit for bit)
        return experiments.run("gates-overlap", **given)

    compiles = _count_compiles()
    first = fresh(delay=5.5)  # 3550 steps: the search's rung 4162 (3501-4162), the run's 4950
    n0 = len(compiles)
    for given in ({"delay": 6.0}, {"window": 31.0}, {"window": 36.0}):
        fresh(**given)
    assert len(compiles) == n0, compiles[n0:]
    monkeypatch.setattr(gates_overlap, "run_length", lambda n, anchor, per_octave=None: n)
    own = fresh(delay=5.5)  # one setting (each costs two compilations): the onset and the length moved
    assert first.summary == own.summary
    assert np.array_equal(first.t, own.t) and first.traces.keys() == own.traces.keys()
    for k in own.traces:
        assert np.array_equal(first.traces[k], own.traces[k]), k


def test_textbook_temperature_and_window_steps_are_bracketed_in_one_round(monkeypatch):
    """The lab's commonest moves on the default (textbook) cell: a 0.5-degC temperature step moves
    the threshold 0.02-0.07 % and a window step by at most 0.009 %, inside the fine zone of the
    seed's fan (all_or_none_search.ZONES): one batched round each. Reference: the unseeded search
    at the same setting (memory emptied); both within 1e-4 x threshold (the stopping rule's bound,
    as in the tests above)."""
    from excitable.experiments.excitability import all_or_none_search as finder

    counted, search = [], finder.search

    def spy(peaks_of, uppers, tolerance, level, what, seeds=None):
        counted.append(0)

        def each(amps):
            counted[-1] += 1
            return peaks_of(amps)

        return search(each, uppers, tolerance, level, what, seeds)

    def thresholds(**given):
        return experiments.run("gates-overlap", **given).summary["threshold_uA_cm2"]

    monkeypatch.setattr(finder, "search", spy)
    moves = ({"temperature": 37.5}, {"temperature": 37.5, "window": 31.0})
    unseeded = []
    for given in moves:
        finder.forget()
        unseeded.append(thresholds(**given))
    finder.forget()
    counted.clear()
    thresholds()
    seeded = [thresholds(**given) for given in moves]
    finder.forget()
    assert counted[1:] == [1, 1], counted  # the defaults' first search is unseeded (4 rounds)
    for a, b in zip(seeded, unseeded):
        for x, y in zip(a, b):
            assert abs(x - y) <= 1e-4 * y / (1 - 1e-4)
