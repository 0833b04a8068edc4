"""Both sides of ``excitable mod compare`` (``neuron_compare.py``): one compartment with the user's
density mechanisms, run by NEURON (the files compiled by ``nrnivmodl``) and by excitable, recording
the same traces under the same names:

- ``"v"`` (mV); ``"SUFFIX.STATE"`` for every state NEURON exposes (an array element as
  ``"SUFFIX.ca[0]"``; a concentration the mechanism writes, ``cai``, is the ion's own variable in
  NEURON and is recorded there); ``"current:ina"`` for an ion's total current and
  ``"current:SUFFIX.i"`` for a NONSPECIFIC_CURRENT (mA/cm², NEURON's unit).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import sys
import tempfile

import numpy as np

from excitable.errors import ModelError

L_UM = DIAM_UM = 10.0
LEAK_S_CM2, LEAK_E_MV = 1e-4, -65.0  # the current clamp's leak on both sides (NEURON's pas units)
#: |V| beyond which a membrane has left physiology (mV): no ion's Nernst potential comes near it at
#: any concentration a cell holds (a 1e6-fold ratio is 370 mV at 37 °C for z = 1).
RUNAWAY_MV = 1000.0
#: states that are the engine's bookkeeping, not the file's (no NEURON counterpart): "v_nrn_cur" is
#: the V a mechanism keeps for what its BREAKPOINT feeds its SOLVE (io/nmodl/breakpoint_feeds.V_CUR),
#: "index_out_of_range" counts array accesses past an array's end (io/nmodl/runtime_index.py)
_INTERNAL = frozenset({"t", "celsius", "newton_unconverged", "v_nrn_cur", "index_out_of_range"})


def python_names(values: dict) -> dict:
    """{parameter: value} with the file's names as the class's fields (a Python keyword, nacur.mod's
    ``del``, is ``delay``: describe.python_name); NEURON's side keeps the file's."""
    from excitable.io.nmodl.describe import python_name

    return {python_name(k): x for k, x in values.items()}


def compared_states(cls) -> list[str]:
    """The state names of an imported class that are the file's variables, then the RANGE values
    its BREAKPOINT computes (``recordable``: hh.mod's gna, a synapse's V-dependent g), as NEURON's
    nrn_cur leaves them."""
    states = [s for s in cls.states if s not in _INTERNAL]
    return states + [a for a in getattr(cls, "recordable", ()) if a not in states]


def ion_currents(cls) -> dict[str, str]:
    """{trace name: the mechanism's current} for what the file writes: 'current:ina' -> 'ina'."""
    desc = cls.description
    out = {f"current:{c}": c for ion in desc.ions for c in ion.write if ion.kind(c) == "current"}
    out.update({f"current:{desc.suffix}.{c}": c for c in desc.nonspecific})
    return out


@functools.cache
def _compare_leak():
    """excitable's Leak under a name no .mod file's SUFFIX takes (ModelDB 126637's Leak.mod is one)."""
    from excitable.physics.channel import channel
    from excitable.physics.channels.hh import Leak

    return channel(type("mod_compare_leak", (Leak,), {"__doc__": _compare_leak.__doc__}))


def ours(mechanisms: dict, values: dict, *, dt: float, celsius: float, clamp=None, iclamp=None) -> dict:
    """excitable's run: {trace name: array} (see the module docstring)."""
    import excitable as ex

    cell = ex.Cell.cylinder(length=L_UM, diameter=DIAM_UM)
    for suffix, cls in mechanisms.items():
        cell.insert(cls(**python_names(values.get(suffix, {}))))
    if iclamp is not None:
        cell.insert(_compare_leak()(g=LEAK_S_CM2 * 1000.0, e=LEAK_E_MV))  # mS/cm²
    sim = ex.Simulation(cell, dt=dt, temperature=celsius, v_init=-80.0 if clamp else -65.0)
    if clamp is not None:
        sim.stimulate(ex.VClamp(cell.soma, levels=clamp, rs=0.01))
    else:
        delay, dur, amp = iclamp
        sim.stimulate(ex.IClamp(cell.soma, amplitude=amp, delay=delay, duration=dur))
    names = ["v"] + [f"{suffix}.{st}" for suffix, cls in mechanisms.items()
                     for st in dict.fromkeys((*cls.states, *compared_states(cls)))]
    for n in names:
        sim.record(n)
    res = sim.run(sum(d for d, _ in clamp) if clamp else 30.0)
    out = {"v": np.asarray(res["v"])}
    states = {suffix: {st: np.asarray(res[f"{suffix}.{st}"]) for st in cls.states}
              for suffix, cls in mechanisms.items()}
    ions = ion_values(mechanisms, values, states, celsius)
    for suffix, cls in mechanisms.items():
        out.update({f"{suffix}.{st}": states[suffix][st] if st in states[suffix] else np.asarray(res[f"{suffix}.{st}"])
                    for st in compared_states(cls)})
        mech = cls(**python_names(values.get(suffix, {})))
        seen = {f: ions[ion][kind] for f, (ion, kind) in getattr(cls, "ion_fields", {}).items()
                if ion in ions and kind in ("e", "ci", "co") and kind in ions[ion]}
        if seen:
            mech = dataclasses.replace(mech, **seen)
        currents = mech.currents(out["v"], states[suffix])
        for trace, current in ion_currents(cls).items():  # µA/cm² -> mA/cm²; an ion's summed, as NEURON
            out[trace] = out.get(trace, 0.0) + np.asarray(currents[current]) / 1000.0
    return out


def ion_values(mechanisms: dict, values: dict, states: dict, celsius: float) -> dict:
    """{ion: {"ci", "co", "e"}} for each ion whose concentrations a mechanism uses: NEURON's ion
    style, which every mechanism of the compartment then reads (io/nmodl/concentrations.py): the
    readers' concentrations (NEURON's defaults where none sets one), a writer's STATE per sample
    where one writes ``cai`` (or ``ko``), and eX by Nernst from them at the run's celsius."""
    from excitable.physics.ions import nernst

    out: dict[str, dict] = {}
    for suffix, cls in mechanisms.items():
        mech = cls(**python_names(values.get(suffix, {})))
        for ion, const in (getattr(cls, "ion_constants", None) or {}).items():
            entry = out.setdefault(ion, {"ci": const["ci"], "co": const["co"], "z": const["z"]})
            entry.update({what: getattr(mech, f) for f, (i, what) in cls.ion_fields.items()
                          if i == ion and what in ("ci", "co")})
    for suffix, cls in mechanisms.items():
        for state, (ion, what) in (getattr(cls, "conc_writes", None) or {}).items():
            out[ion][what] = states[suffix][state]
    for entry in out.values():
        entry["e"] = np.asarray(nernst(entry["ci"], entry["co"], entry.pop("z"), celsius))
    for suffix, cls in mechanisms.items():  # a written eX (WRITE eca): NEURON's ion keeps it, no Nernst
        for state, (ion, _) in (getattr(cls, "reversal_writes", None) or {}).items():
            out.setdefault(ion, {})["e"] = states[suffix][state]
    return out


class Neuron:
    """NEURON with the files' mechanisms loaded (compiled once by nrnivmodl, cached)."""

    def __init__(self, files, mechanisms: dict, *, dt: float, celsius: float):
        from excitable.io.extras import require

        require("neuron", "nmodl", "mod compare")
        import neuron

        from excitable.workflows.nrnivmodl import compile_mods

        self.h = neuron.h
        self.h.load_file("stdrun.hoc")
        self.dt, self.celsius = dt, celsius
        known = self._known()
        self.notes = [f"{s}: NEURON already has a mechanism of this name (built in, or loaded before); "
                      "NEURON runs that one, not the file"
                      for s in mechanisms if s in known]
        todo = [f for f in files if _suffix_of(f, mechanisms) not in known]
        if todo:
            folder, why = compile_mods(todo, "mod-compare")
            if folder is None:
                raise ModelError(f"mod compare: {why}")
            try:  # NEURON raises (hoc_execerror) for a name it has already, e.g. loaded earlier in this process
                loaded = neuron.load_mechanisms(str(folder), warn_if_already_loaded=False)
            except RuntimeError as exc:
                raise ModelError(f"mod compare: NEURON could not load the mechanisms compiled in {folder}: "
                                 f"{str(exc).splitlines()[0]}") from None
            if not loaded:
                raise ModelError(f"mod compare: NEURON could not load the mechanisms compiled in {folder}")
        missing = [s for s in mechanisms if s not in self._known()]
        if missing:
            raise ModelError(f"mod compare: NEURON has no mechanism {missing[0]!r} after compiling the files")
        self.notes += give_tables(self.h, mechanisms)

    def _known(self) -> set[str]:
        return known_mechanisms(self.h)

    def run(self, mechanisms: dict, values: dict, *, clamp=None, iclamp=None) -> dict:
        """NEURON's run of the same compartment: {trace name: array}."""
        h = self.h
        sec = h.Section(name="compare")
        sec.L, sec.diam, sec.nseg, sec.cm = L_UM, DIAM_UM, 1, 1.0
        seg = sec(0.5)
        for suffix, cls in mechanisms.items():
            sec.insert(suffix)
            if hasattr(h, f"usetable_{suffix}"):
                setattr(h, f"usetable_{suffix}", 0)
            for name, value in values.get(suffix, {}).items():
                _set(h, seg, suffix, cls, name, value)
        if iclamp is not None:
            sec.insert("pas")
            seg.pas.g, seg.pas.e = LEAK_S_CM2, LEAK_E_MV
        h.dt, h.secondorder, h.celsius = self.dt, 0, self.celsius
        if clamp is not None:
            stim = h.SEClamp(seg)
            stim.rs = 0.01
            (stim.dur1, stim.amp1), (stim.dur2, stim.amp2), (stim.dur3, stim.amp3) = clamp
        else:
            stim = h.IClamp(seg)
            stim.delay, stim.dur, stim.amp = iclamp
        vecs = {"v": h.Vector().record(seg._ref_v)}
        for suffix, cls in mechanisms.items():
            ion_vars = {v for ion in cls.description.ions for v in ion.write + ion.read}
            for s in compared_states(cls):
                ref = _ref(seg, getattr(seg, suffix), s, ion_vars)
                if ref is not None:
                    vecs[f"{suffix}.{s}"] = h.Vector().record(ref)
            for trace, current in ion_currents(cls).items():
                owner = getattr(seg, suffix) if trace.count(".") else seg
                vecs[trace] = h.Vector().record(getattr(owner, f"_ref_{current}"))
        protocol = f"the voltage clamp (step to {clamp[1][1]:g} mV)" if clamp else f"the current clamp of {iclamp[2]:g} nA"
        with neuron_failure(f"{', '.join(mechanisms)} under {protocol}"):
            h.finitialize(-80.0 if clamp else -65.0)
            h.continuerun(sum(d for d, _ in clamp) if clamp else 30.0)
        out = {k: np.array(v) for k, v in vecs.items()}
        del stim, seg, sec
        return out


@contextlib.contextmanager
def neuron_failure(what: str):
    """NEURON's own failure inside the block (a hoc_execerror, e.g. derivimplicit's Newton iteration
    not converging: "scopmath library error", ModelDB 266797 cacumm.mod) as one line naming ``what``
    (the mechanisms and the protocol) and NEURON's words, instead of a traceback: the file does not
    run in NEURON, so there is nothing to compare. What NEURON prints meanwhile (file descriptors 1
    and 2, where its C code writes, and Python's streams, where its hoc printf goes) is held and, after
    a run that succeeds, printed on stderr as before."""
    step = os.environ.get("EXCITABLE_NEURON_STEP")  # interfaces/cli/neuron_guard.py: named if NEURON crashes
    if step:
        with open(step, "w", encoding="utf-8") as f:
            f.write(what)
    sys.stdout.flush()
    sys.stderr.flush()
    held, saved = tempfile.TemporaryFile(), (os.dup(1), os.dup(2))
    py_out, py_err = io.StringIO(), io.StringIO()
    failed = None
    try:
        os.dup2(held.fileno(), 1)
        os.dup2(held.fileno(), 2)
        with contextlib.redirect_stdout(py_out), contextlib.redirect_stderr(py_err):
            yield
    except RuntimeError as exc:  # what NEURON's Python interface raises for a hoc error
        failed = exc
    finally:
        _flush_c_streams()
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        held.seek(0)
        printed = held.read().decode(errors="replace") + py_out.getvalue() + py_err.getvalue()
        held.close()
    if failed is None:
        sys.stderr.write(printed)
        return
    said = printed.split("NEURON:")[0].split("\n")  # its own words come before hoc's "NEURON: ..." lines
    words = "; ".join(ln.strip() for ln in said if ln.strip())[:200]
    error = str(failed).replace("hocobj_call error:", "").replace("hoc_execerror:", "").strip()
    error = error.splitlines()[0] if error else "hoc error"
    raise ModelError(f"NEURON cannot run {what}: {error}" + (f" ({words})" if words else "")
                     + "; NEURON's own run failed, so nothing was compared") from None


def _flush_c_streams() -> None:
    """C's stdio buffers flushed into the held file before it is read (printf to a file is buffered)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)


#: SUFFIX -> the Vectors holding the FUNCTION_TABLEs last given to NEURON: its two-argument form
#: keeps pointers into their memory (hoc_spec_table, nrn/src/oc/functabl.cpp), not copies, so they
#: live as long as the process (replaced when the mechanism's tables are given again).
_TABLE_VECTORS: dict[str, list] = {}


def give_tables(h, mechanisms: dict) -> list[str]:
    """NEURON's side of the classes' FUNCTION_TABLEs (io/nmodl/function_tables.py), given as hoc
    gives them, ``table_NAME_SUFFIX(...)``: one argument as two Vectors (values, points), two as
    pointers (the grid in row order, then each axis' size and points), a single value in the
    constant form. NEURON's tables belong to the mechanism, not to a section, so this holds for
    every run after it. Returns the report's notes."""
    notes = []
    for suffix, cls in mechanisms.items():
        tables = {n: t for n, t in (getattr(cls, "function_tables", None) or {}).items() if t is not None}
        keep, said = [], []
        for name, table in tables.items():
            give = getattr(h, f"table_{name}_{suffix}", None)
            if give is None:  # NEURON runs a mechanism of this name that is not the file (a note says so)
                raise ModelError(f"mod compare: NEURON's {suffix} has no FUNCTION_TABLE {name} (table_{name}_{suffix})")
            if table.values.size == 1:  # NEURON's constant form; the same value at every point
                give(float(table.values.flat[0]))
                said.append(f"{name} (a constant)")
                continue
            axes = [h.Vector(a) for a in table.axes]
            values = h.Vector(np.ascontiguousarray(table.values).ravel())
            if len(axes) == 1:
                give(values, axes[0])
            else:
                give(values._ref_x[0], *[p for a in axes for p in (int(a.size()), a._ref_x[0])])
            keep += [values, *axes]
            said.append(f"{name} ({' x '.join(str(a.size) for a in table.axes)} points)")
        if said:
            _TABLE_VECTORS[suffix] = keep
            notes.append(f"{suffix}: FUNCTION_TABLE {', '.join(said)} given to both sides "
                         f"(NEURON: table_NAME_{suffix})")
    return notes


def _ref(seg, mech, state: str, ion_vars):
    """NEURON's pointer to a state (None where NEURON does not expose it, e.g. a non-RANGE ASSIGNED)."""
    base, _, index = state.partition("[")
    owner = seg if base in ion_vars else mech
    try:
        ref = getattr(owner, f"_ref_{base}")
        return ref[int(index[:-1])] if index else ref
    except (AttributeError, LookupError, TypeError):
        return None


def _set(h, seg, suffix: str, cls, name: str, value: float) -> None:
    """A parameter on NEURON's side: RANGE per segment, GLOBAL as NAME_SUFFIX."""
    if name in cls.description.globals_ or not hasattr(getattr(seg, suffix), name):
        setattr(h, f"{name}_{suffix}", value)
    else:
        setattr(getattr(seg, suffix), name, value)


def known_mechanisms(h) -> set[str]:
    """The density mechanisms, point processes and artificial cells NEURON (``h``) knows now."""
    names = set()
    for kind in (0, 1):  # MechanismType(1): point processes and artificial cells
        mt = h.MechanismType(kind)
        for i in range(int(mt.count())):
            mt.select(i)
            ref = h.ref("")
            mt.selected(ref)
            names.add(ref[0])
    return names


def _suffix_of(path, mechanisms: dict) -> str | None:
    """The SUFFIX a file defines (the loaded classes know their file; both paths resolved, so that
    ``dir/../x.mod`` is ``x.mod``)."""
    from pathlib import Path

    for suffix, cls in mechanisms.items():
        if Path(cls.description.path).resolve() == Path(path).resolve():
            return suffix
    return None


def first_nonfinite(traces: dict, dt: float | None) -> tuple[str, str] | None:
    """Where NEURON's recorded traces stop being numbers (sample k is t = k*dt ms, NEURON's
    recording from finitialize): (words, suffix) such as ("nandef.m NaN from t = 0 ms", "nandef"),
    naming the trace that went first (V, "V", after it where a state led), and the mechanism it
    belongs to (for the ``--set`` hint), or None where every trace is finite. An artificial cell's
    "spikes" (event times, not samples) are not read."""
    def when(k: int) -> str:
        return f"t = {k * dt:.6g} ms" if dt is not None else f"sample {k}"

    firsts = {}
    for name, x in traces.items():
        bad = np.flatnonzero(~np.isfinite(np.asarray(x, dtype=float))) if name != "spikes" else ()
        if len(bad):
            value = float(np.asarray(x, dtype=float)[bad[0]])
            firsts[name] = (int(bad[0]), "NaN" if np.isnan(value) else f"{value:g}")
    if not firsts:
        return None
    lead = min(firsts, key=lambda n: firsts[n][0])  # the earliest; dict order among equals
    show = lead.split(":", 1)[1] if lead.startswith("current:") else "V" if lead == "v" else lead
    words = f"{show} {firsts[lead][1]} from {when(firsts[lead][0])}"
    if "v" in firsts and lead != "v":
        words += f", V from {when(firsts['v'][0])}"
    return words, show.split(".", 1)[0] if "." in show else "SUFFIX"
