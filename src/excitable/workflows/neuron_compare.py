"""``excitable mod compare FILE.mod ...``: the user's own .mod files run by NEURON and by excitable
side by side, every trace compared at every step, so a researcher sees for their model (not only
for the files our tests use) whether excitable gives NEURON's numbers before trusting a result.

The protocol is the one the tests use for NEURON's own files (tests/io/nmodl/test_neuron_side_by_side.py):
one compartment, L = diam = 10 µm, cm = 1 µF/cm², NEURON's fixed step (secondorder 0), exact rates
(``usetable_* = 0``: NEURON's tables are a speed device that excitable does not copy):

- each density mechanism alone under a voltage-clamp family: SEClamp (rs 0.01 MΩ) holding -80 mV
  for 5 ms, a step to -60, -20, +20 or +40 mV for 15 ms, back to -80 mV for 5 ms;
- all of them together (the cell the folder describes) under a current step of ``amplitude_nA``
  from 2 ms for 20 ms, with a 0.1 mS/cm² leak (e -65 mV) on both sides so a folder without a leak
  still has a resting potential; spike times (upward 0-mV crossings) are compared too;
  where excitable's run becomes numerically unstable, NEURON's V decides: run away too (a
  folder without a K+ current) and a note says the step is not compared, else a difference;
- each point process and artificial cell on an hh compartment, driven by a spike train (or, without
  NET_RECEIVE, the current step): ``neuron_compare_point.py``;
- where a file has LONGITUDINAL_DIFFUSION, the "together" cell with a dendrite: ``neuron_compare_cable.py``.

Compared: V, every STATE of every mechanism, every current (an ion's total, e.g. ``ina``, and each
NONSPECIFIC_CURRENT) and a concentration a mechanism writes (``cai``); each as its largest difference
divided by the trace's largest magnitude (a state of a KINETIC scheme's CONSERVE law: of the law's
total where the difference is within that total's round-off, ``conserve_groups``; a current: of at
least 1e-9 mA/cm², ``CURRENT_FLOOR_MA_CM2``). NEURON records a current as computed at the start of
a step; excitable's recorded current is the one at the end of the step before, the same evaluation,
so NEURON's sample k+1 is compared with ours at k.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from excitable.errors import ModelError, SimulationError
from excitable.workflows import neuron_side
from excitable.workflows.unstable_runs import nudged, round_off_notes, unstable_clamp, unstable_together
from excitable.workflows.unstable_runs import ran_away as _ran_away, something_compared as _something_compared
from excitable.workflows.neuron_compare_files import refuse_pointers as refuse_pointers  # neuron_cell's

STEPS_MV = (-60.0, -20.0, 20.0, 40.0)
SPIKE_TOLERANCE_MS = 0.05  # the issue's bound on spike times


@dataclasses.dataclass(frozen=True)
class Row:
    """One compared trace: the protocol, the trace's name, max |ours - NEURON's| / max |NEURON's|."""

    case: str
    trace: str
    difference: float


@dataclasses.dataclass
class Comparison:
    """What ``compare_mods`` found: every trace's row, the spike times, notes on what was skipped."""

    rows: list[Row]
    spikes_ours: np.ndarray
    spikes_neuron: np.ndarray
    notes: list[str]
    tolerance: float
    #: (label, ours, NEURON's) spike times of the point processes' runs (neuron_compare_point.py)
    spike_sets: list = dataclasses.field(default_factory=list)

    def _sets(self) -> list:
        """Every compared set of spike times: the current clamp's (with density mechanisms), the points'."""
        first = [] if self.spikes_ours is None else [("current clamp", self.spikes_ours, self.spikes_neuron)]
        return first + list(self.spike_sets)

    @property
    def spikes_agree(self) -> bool:
        return all(len(a) == len(b) and bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= SPIKE_TOLERANCE_MS))
                   for _, a, b in self._sets())

    @property
    def agrees(self) -> bool:
        return self.spikes_agree and all(r.difference <= self.tolerance for r in self.rows)

    def report(self) -> str:
        """The table a user reads: one line per trace, then the spikes and a verdict."""
        width, inner = max([len(r.case) for r in self.rows] + [8]), max([len(r.trace) for r in self.rows] + [28])
        lines = [f"{'protocol':<{width}}  {'trace':<{inner}} largest difference (of the trace's scale)"]
        for r in self.rows:
            mark = "" if r.difference <= self.tolerance else f"   > {self.tolerance:g}: DIFFERS"
            lines.append(f"{r.case:<{width}}  {r.trace:<{inner}} {r.difference:.2e}{mark}")
        fmt = ", ".join
        for label, a, b in self._sets():
            lines.append(f"spikes ({label}): excitable {len(a)} [{fmt(f'{t:.3f}' for t in a[:8])}] ms, "
                         f"NEURON {len(b)} [{fmt(f'{t:.3f}' for t in b[:8])}] ms")
        lines += [f"note: {n}" for n in self.notes]
        worst = max((r.difference for r in self.rows), default=0.0)
        verdict = "same as NEURON" if self.agrees else "DIFFERS from NEURON"
        skipped = sum(": not compared: " in n for n in self.notes)  # a verdict over part of the files says so
        lines.append(f"{verdict}: {len(self.rows)} traces, largest difference {worst:.2e} "
                     f"(tolerance {self.tolerance:g}); spike times within {SPIKE_TOLERANCE_MS} ms: "
                     f"{'yes' if self.spikes_agree else 'no'}" + (f"; {skipped} not compared (notes)" if skipped else ""))
        return "\n".join(lines)


#: Round-off of a CONSERVE law's total, relative to it: both sides compute one of its states as the
#: total minus the others, a few of the last bits (1.1e-16) per step; 1e-12 allows thousands of
#: steps of them and stays far below any formula's error (a wrong digit moves a trace by > 1e-4).
CONSERVE_ROUNDOFF = 1e-12


#: The smallest scale a current is measured on, mA/cm²: 1e-9 mA/cm² (1e-6 µA/cm²) moves V by at
#: most 1e-6 mV/ms on 1 µF/cm², 3e-5 mV over a run, below what V's own comparison (1e-6 of its
#: ~100 mV) sees. A pump at rest, 2F(f_flux - b_flux) of two equal fluxes, is round-off: 1e-16 on
#: both sides in another order (the NEURON Book's cdp.mod), or 0 in NEURON and 1e-20 here (cad.mod).
CURRENT_FLOOR_MA_CM2 = 1e-9


def worst(ours, theirs, total: float = 0.0, floor: float = 0.0) -> float:
    """max |ours - theirs| / the largest magnitude of NEURON's trace, or ``floor`` where larger (0
    for two zero traces); of ``total`` instead (a CONSERVE law's) where that is larger and the
    difference within its round-off (``conserve_groups``)."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    n = min(len(ours), len(theirs))
    diff, own = float(np.max(np.abs(ours[:n] - theirs[:n]))), float(np.max(np.abs(theirs[:n])))
    own = max(own, floor)
    scale = total if total > own and diff <= CONSERVE_ROUNDOFF * total else own
    return diff / max(scale, 1e-300)


def current_traces(mechanisms: dict) -> frozenset[str]:
    """Traces ``SUFFIX.var`` of a RANGE variable declared in mA/cm² (a pump's ``ica_pmp``)."""
    units = {"mA/cm2", "milliamp/cm2"}
    return frozenset(f"{s}.{n}" for s, cls in mechanisms.items()
                     for n, u in cls.description.assigned.items() if u.replace(" ", "") in units)


def conserve_groups(mechanisms: dict) -> dict[str, tuple[str, ...]]:
    """Trace ``SUFFIX.state`` -> the traces of the CONSERVE law its KINETIC scheme puts it in.
    Both simulators compute such a state beside the law's total (one of them as the total minus
    the others), so its round-off is the total's: Destexhe's iar.mod keeps o2 near 1e-14 of c1 + o1
    + o2 = 1, where 1e-16 apart is the last bit of the total and 1e-2 of o2's own magnitude."""
    from excitable.io.nmodl.parse import dsl

    out = {}
    for suffix, cls in mechanisms.items():
        desc = cls.description
        for block in desc.derivatives.values():
            for law in re.findall(r"\bCONSERVE\s+([^\n]*)", dsl().to_nmodl(block)):
                names = [n for n in re.findall(r"[A-Za-z_]\w*(?:\[\d+\])?", law) if n in desc.states]
                out.update({f"{suffix}.{n}": tuple(f"{suffix}.{m}" for m in names) for n in names})
    return out


def spike_times(v, dt: float) -> np.ndarray:
    """Upward 0-mV crossings at step boundaries (the first sample at or above 0 mV), ms."""
    v = np.asarray(v)
    return dt * np.flatnonzero((v[1:] >= 0.0) & (v[:-1] < 0.0)) + dt


def parse_settings(items, mechanisms) -> dict[str, dict[str, float]]:
    """``["NaTa_t.gNaTa_tbar=2.0", ...]`` -> {suffix: {parameter: value}}, each name checked."""
    out: dict[str, dict[str, float]] = {}
    for item in items or ():
        name, sep, value = str(item).partition("=")
        suffix, dot, param = name.strip().partition(".")
        if not sep or not dot:
            raise ModelError(f"mod compare: --set {item!r}: expected SUFFIX.PARAMETER=VALUE")
        if suffix not in mechanisms:
            raise ModelError(f"mod compare: --set {item!r}: no mechanism {suffix!r} "
                             f"(the files define {', '.join(sorted(mechanisms))})")
        params = mechanisms[suffix].description.parameters
        if param not in params:
            raise ModelError(f"mod compare: --set {item!r}: {suffix} has no parameter {param!r} "
                             f"(it has {', '.join(params) or 'none'})")
        try:
            number = float(value)
        except ValueError:
            raise ModelError(f"mod compare: --set {item!r}: {value!r} is not a number") from None
        if not np.isfinite(number):
            raise ModelError(f"mod compare: --set {item!r}: {value!r} is not a finite number")
        out.setdefault(suffix, {})[param] = number
    return out


def require_tables(loaded: dict) -> None:
    """Every FUNCTION_TABLE of the files has values (NEURON errors at the first call of one not
    given, excitable refuses the mechanism): else one line naming them all and --tables."""
    missing = [(s, n) for s, c in loaded.items()
               for n, t in (getattr(c, "function_tables", None) or {}).items() if t is None]
    if not missing:
        return
    from excitable.io.nmodl import function_tables
    from excitable.io.nmodl.loader import parse_text, read_text

    suffix, name = missing[0]
    decl = function_tables.declared(parse_text(*read_text(loaded[suffix].source)))[name]
    x = '"x": [...]' if len(decl.args) == 1 else '"x": [[...], [...]]'
    raise ModelError(f"mod compare: FUNCTION_TABLE {', '.join(f'{s}.{t}' for s, t in missing)} "
                     f"{'has' if len(missing) == 1 else 'have'} no values: pass --tables FILE.json "
                     f"({{\"{suffix}\": {{\"{name}\": {{{x}, \"y\": [...]}}}}}}, as run model's --set tables=)")


def check_ranges(**values) -> None:
    """A temperature, time step or amplitude outside what a comparison can mean: one line."""
    bounds = {"celsius": (-50.0, 100.0), "dt": (1e-4, 1.0), "amplitude_nA": (-100.0, 100.0)}
    for name, value in values.items():
        low, high = bounds[name]
        if value is not None and not (low <= value <= high):
            raise ModelError(f"mod compare: {name} = {value!r} is outside {low:g}..{high:g}")


# long because it is the protocol itself, step by step (module docstring); the point processes'
# part is neuron_compare_point.py
def compare_mods(paths, *, celsius: float = 6.3, dt: float = 0.025, settings=(),
                 amplitude_nA: float = 0.1, tolerance: float = 1e-6, weight: float | None = None,
                 spikes: str | None = None, with_mechanisms: str | None = None,
                 tables: str | None = None, queue: int | None = None) -> Comparison:
    """Run the files' mechanisms in NEURON and in excitable (module docstring; point processes and
    artificial cells: ``neuron_compare_point``, driven by ``spikes`` "T1,T2,..." ms of ``weight``,
    with the files' density mechanisms they need and ``with_mechanisms`` "SUFFIX,..." beside them)
    and compare.

    ``settings``: ``SUFFIX.PARAMETER=VALUE`` strings applied on both sides (e.g. a conductance the
    file leaves at 0). ``tables``: a JSON file of the files' FUNCTION_TABLE values, read as ``excitable run
    model --set tables=FILE.json`` reads it, given to both sides; ``queue``: load_mod's. A file excitable
    refuses, with a POINTER, one NEURON's nrnivmodl refuses, or one whose run cannot keep its events, is
    a note and the others are compared (``neuron_compare_files``). Raises ModelError (one line) where
    nothing is left to compare, for a bad setting; NEURON (``pip install 'excitable[nmodl]'``) is needed."""
    from excitable.io.nmodl.function_tables import read_json
    from excitable.io.nmodl.loader import mod_paths
    from excitable.workflows import neuron_compare_cable as cable
    from excitable.workflows import neuron_compare_point as point
    from excitable.workflows.neuron_compare_files import compiled, select

    check_ranges(celsius=celsius, dt=dt, amplitude_nA=amplitude_nA)
    train = point.parse_spikes(spikes, dt)
    if weight is not None and not (np.isfinite(weight) and abs(weight) <= 1e6):
        raise ModelError(f"mod compare: weight = {weight!r} is not a number in -1e6..1e6")
    # a file refused or with a POINTER: a note, left out on both sides, the others compared
    chosen = select(mod_paths([Path(p) for p in paths]), read_json(tables) if tables is not None else None, queue)
    require_tables(chosen.loaded)
    mechanisms = {s: c for s, c in chosen.loaded.items() if getattr(c, "kind", "density") == "density"}
    points = {s: c for s, c in chosen.loaded.items() if s not in mechanisms}
    asked = point.parse_with(with_mechanisms, mechanisms)
    if asked and not any(not getattr(c, "artificial", False) for c in points.values()):
        raise ModelError(f"mod compare: --with {with_mechanisms!r}: the files define no point process to put it beside")
    # a left-out file's --set is the user's, not an error (a refused one's is not read at all)
    values = parse_settings([x for x in settings or () if str(x).partition(".")[0].strip() not in chosen.refused],
                            chosen.every | asked)
    chosen = compiled(chosen, asked)  # one NEURON's nrnivmodl refuses ("in file X.mod"): a note, built without it
    files, loaded, notes = chosen.files, chosen.loaded, list(chosen.notes)
    mechanisms, points = ({s: c for s, c in d.items() if s in loaded} for d in (mechanisms, points))
    groups, currents = conserve_groups(mechanisms), current_traces(mechanisms)
    nrn = neuron_side.Neuron(files, loaded, dt=dt, celsius=celsius)
    notes += nrn.notes
    rows: list[Row] = []
    found = point.compare_points(points, values, nrn.h, spikes=train, weight=weight, dt=dt, celsius=celsius,
                                 amplitude_nA=amplitude_nA, worst=worst, spike_times=spike_times,
                                 density=mechanisms, asked=asked)
    rows += [Row(*r) for r in found[0]]
    notes += found[2]
    if not mechanisms:
        _something_compared(rows, notes)
        return Comparison(rows, None, None, notes, tolerance, found[1])
    for suffix, cls in mechanisms.items():
        diffs: dict[str, float] = {}
        for step in STEPS_MV:
            clamp = ((5.0, -80.0), (15.0, step), (5.0, -80.0))
            theirs = nrn.run({suffix: cls}, values, clamp=clamp)
            try:
                ours = neuron_side.ours({suffix: cls}, values, dt=dt, celsius=celsius, clamp=clamp)
            except SimulationError as e:
                if unstable_clamp(f"{suffix} clamp", step, e, theirs, notes, dt=dt):
                    rows.append(Row(f"{suffix} clamp", "v", float("inf")))
                break
            for trace, d in _differences(ours, theirs, groups, currents).items():
                diffs[trace] = max(diffs.get(trace, 0.0), d)
        rows += [Row(f"{suffix} clamp", t, d) for t, d in diffs.items()]
    shared = _shared_writes(mechanisms)
    if shared:  # one compartment cannot hold both (NEURON's pools would fight over it too); each ran alone
        notes.append(f"together, current clamp: not run: {shared}; each was compared alone above (compare "
                     f"a cell with one pool per compartment by giving the files apart)")
        _something_compared(rows, notes)
        return Comparison(rows, None, None, notes, tolerance, found[1])
    stim = (2.0, 20.0, amplitude_nA)
    theirs = nrn.run(mechanisms, values, iclamp=stim)
    try:
        ours = neuron_side.ours(mechanisms, values, dt=dt, celsius=celsius, iclamp=stim)
    except SimulationError as e:
        rows += _unstable_together(e, theirs, amplitude_nA, notes, dt=dt)
        _something_compared(rows, notes)
        return Comparison(rows, None, None, notes, tolerance, found[1])
    if _ran_away(ours["v"]) and _ran_away(theirs["v"]):  # both past physiology: round-off, amplified
        rows += _unstable_together(f"V reached {float(np.nanmax(np.abs(ours['v']))):.4g} mV", theirs,
                                   amplitude_nA, notes, dt=dt)
        _something_compared(rows, notes)
        return Comparison(rows, None, None, notes, tolerance, found[1])
    together = _differences(ours, theirs, groups, currents)
    rows += [Row("together, current clamp", t, d) for t, d in together.items()]
    if max(together.values(), default=0.0) > tolerance:  # is NEURON's own run decided by round-off here?
        notes += round_off_notes(nrn.run(mechanisms, values, iclamp=nudged(stim)), theirs, tolerance)
    if cable.diffusing(mechanisms):  # LONGITUDINAL_DIFFUSION: nothing diffuses on one compartment
        rows += [Row(*r) for r in cable.compare(nrn.h, mechanisms, values, dt=dt, celsius=celsius, iclamp=stim, worst=worst)]
    _something_compared(rows, notes)
    return Comparison(rows, spike_times(ours["v"], dt), spike_times(theirs["v"], dt), notes, tolerance, found[1])


def _shared_writes(mechanisms: dict) -> str | None:
    """"cad and cas both write cai" where two of the files write one ion's concentration (or its
    reversal potential): the engine runs one writer per compartment (engine/writers.py)."""
    seen: dict[tuple[str, str], str] = {}
    for suffix, cls in mechanisms.items():
        writes = {**(getattr(cls, "conc_writes", None) or {}), **(getattr(cls, "reversal_writes", None) or {})}
        for state, target in writes.items():
            if target in seen and seen[target] != suffix:
                return f"{seen[target]} and {suffix} both write {state}"
            seen.setdefault(target, suffix)
    return None


def _unstable_together(error, theirs: dict, amplitude_nA: float, notes: list[str],
                       dt: float | None = None) -> list[Row]:
    """unstable_runs.unstable_together's verdict as rows: one of infinite difference where excitable differs."""
    return [Row("together, current clamp", "v", float("inf"))] if unstable_together(
        error, theirs, amplitude_nA, notes, dt) else []


def _differences(ours: dict, theirs: dict, groups: dict, currents=frozenset()) -> dict[str, float]:
    """Each trace NEURON recorded, against ours; currents one sample shifted (module docstring),
    on a scale of at least CURRENT_FLOOR_MA_CM2, as ``currents`` (current_traces); a state in a
    CONSERVE law of the scale of the law's total (``conserve_groups``)."""
    out = {}
    for name, trace in theirs.items():
        if name not in ours:
            continue
        if name.startswith("current:"):
            out[name.split(":", 1)[1]] = worst(ours[name][:-1], trace[1:], floor=CURRENT_FLOOR_MA_CM2)
            continue
        if name in currents:
            out[name] = worst(ours[name], trace, floor=CURRENT_FLOOR_MA_CM2)
            continue
        members = groups.get(name, ())
        total = (float(np.max(sum(np.abs(np.asarray(theirs[m], dtype=float)) for m in members)))
                 if members and all(m in theirs for m in members) else 0.0)
        out[name] = worst(ours[name], trace, total)
    return out
