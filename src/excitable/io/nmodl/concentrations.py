"""Mechanisms that write ion concentrations (a calcium pool: ``USEION ca READ ica WRITE cai`` with
``STATE { cai }``), with NEURON's semantics.

What NEURON does, and what the generated class declares so the engine (``engine.stepping``) does it:
- the written concentration is a STATE of the file; at ``finitialize`` it starts from the ion's
  value (NEURON's ``cai0_ca_ion``, 5e-5 mM for calcium) before the file's INITIAL, which may set it;
- every other mechanism of the compartment reads it (``cai``), and the ion's reversal potential
  follows it by Nernst, eca = RT/(zF) ln(cao/cai) at every step (NEURON's ion style once a
  mechanism writes ``cai``), with ``cao`` fixed (the writer's own ``cao`` if it reads one, else
  the readers' or NEURON's default 2 mM);
- an outside concentration is written the same way (``USEION k READ ik WRITE ko``: potassium
  accumulating in a Frankenhaeuser-Hodgkin space; the cerebellar Golgi cell's k_conc writes ki and
  ko): nocmodl emits the same ``nrn_promote(ion, 3, 0)`` and ``nrn_writes_conc`` for it (read from
  its C), so the state starts at the ion's ``ko`` (2.5 mM for potassium), every mechanism of the
  compartment reads it (``ko``) and ek follows Nernst from the compartment's ki and it;
- the ion current it READs (``ica``) is the compartment's total, every mechanism's ``ica``
  computed in BREAKPOINT at the V and states of the start of the step (NEURON's ``nrn_cur``
  accumulating into the ion, read by ``nrn_state``), in mA/cm2.

Declared on the class: ``conc_writes`` {state: (ion, "ci" | "co")}, ``ion_constants`` {ion: {"z", "ci",
"co"}} (valence and NEURON's default concentrations, mM) and, in ``ion_fields``, the ion currents
read as (ion, "current").

Any ion, not only na, k and ca: chloride (``USEION cl READ cli, clo WRITE icl VALENCE -1``, a pool
``USEION cl READ icl WRITE cli VALENCE -1``) takes NEURON's defaults for an ion it does not know
(``describe.OTHER_ION_DEFAULTS``: 1 mM inside and outside, e = 0 mV) and the file's VALENCE, which
NEURON requires for a new ion (a file using the concentrations of an unknown ion without one is
refused, unless another file loaded together declares it: valences.py); the style rules below are the same (checked beside NEURON: tests/io/nmodl/test_other_ions.py).

Readers of a concentration (``USEION ca READ cai``, ``READ nai`` ...) promote the ion's style too
(NEURON's ``nrn_promote(conc = 1)``: e_style "assigned" with ``einit``): at ``finitialize`` NEURON
computes the reversal potential of that ion by Nernst from the segment's concentrations, at the run's
celsius, for every mechanism of the section (with no writer the concentrations stay fixed, so that
value holds for the whole run). A section whose mechanisms only read ``eca`` keeps the ion's value
(132.458 mV unless set). ``ion_constants`` names every ion whose concentrations the file reads or
writes; the engine does the rest per compartment (``engine.ion_style``: a NEURON section is all of
its segments; here a compartment is promoted where such a mechanism is inserted) and refuses a
reversal potential set where it would be overwritten, and readers of one compartment that disagree
on a concentration (NEURON keeps one value per segment).

An ion current read by a density mechanism that writes no concentration of that ion (Aradi &
Holmes' CadepK: ``USEION ca READ ica``, integrated into a STATE of its own) is the same total in the
SOLVE'd blocks (``nrn_state``), which is where NEURON gives it; the engine computes it for every ion
whose current some mechanism reads (``engine.writers.read_currents``). Read in BREAKPOINT it is
refused (NEURON's ``nrn_cur`` gives a partial sum, the mechanisms before this one in its order), and
in INITIAL too (NEURON's ion holds what the previous run left there: 0 at the first finitialize).

A reversal potential the file writes (``WRITE eca``, Cutsuridis et al.'s ccanl.mod computing eca
itself: ``reversal_writes``) is run where NEURON's value does not depend on its mechanism order: a
density mechanism that writes no current (NEURON runs its BREAKPOINT in nrn_state, after the SOLVE,
and stores eX in the ion; ion style "e state", no Nernst) and whose INITIAL sets eX (else NEURON
keeps the previous run's value). The value is a state of the class; the engine gives it to every
mechanism of the compartment (``engine.writers.written_reversals``) and refuses one that reads it
in INITIAL or a SOLVE (``state_reads``), where NEURON's registration order decides what it sees.

Not done (refused or documented): writing ``eca`` otherwise (above), a concentration that is not a STATE
(an ASSIGNED ``cai`` set in BREAKPOINT), an ion current read outside the SOLVE'd blocks (above), or
by a point process, or by a mechanism that writes that current and no concentration. A point process
declares ``ion_constants`` too (io/nmodl/point.py, artificial.py): it promotes the style of the
compartment it sits in, as NEURON's promotes its section's.
"""

from __future__ import annotations

import re

from excitable.io.nmodl.describe import ION_DEFAULTS, Description, Ion, ion_default


def writable(desc: Description, ion: Ion, var: str) -> bool:
    """Whether ``WRITE var`` of ``ion`` is run: a concentration, inside or outside (``cai``, ``ko``),
    that is a STATE of the file, or an ASSIGNED one that a SOLVE'd block sets (a shell pool's
    ``cai = ca[0]``: NEURON copies it to the ion after ``nrn_state``, as a STATE's). A ``cai``
    declared in PARAMETER is an ASSIGNED one (describe.py: nocmodl makes a USEION variable the ion's
    wherever it is declared; Destexhe's cad.mod, checked beside NEURON in
    tests/io/nmodl/test_declared_ions.py)."""
    if ion.kind(var) not in ("i", "o") or not has_valence(ion):
        return False
    return var in desc.states or (var in desc.assigned and _set_in_solve(desc, var))


def has_valence(ion: Ion) -> bool:
    """Whether the ion's valence is known: NEURON's for na, k, ca, else the file's VALENCE (NEURON
    refuses an ion it does not know unless some file gives one: "USEION CHARGE (or VALENCE) must be
    defined in at least one model using this ion"; here the file that uses its concentrations, or
    another file loaded together with it: valences.py, which ``describe`` reads into ``Ion.valence``)."""
    return ion.name in ION_DEFAULTS or ion.valence is not None


def _text(block) -> str:
    from excitable.io.nmodl.parse import dsl

    return dsl().to_nmodl(block)


def _set_in_solve(desc: Description, var: str) -> bool:
    blocks = [desc.derivatives[b] for b, _ in desc.solves if b in desc.derivatives]
    return any(re.search(rf"\b{re.escape(var)}\s*=(?!=)", _text(b)) for b in blocks)


def readable_current(desc: Description, ion: Ion, var: str) -> bool:
    """Whether ``READ var`` (an ion current) is run, as the compartment's total at the start of the
    step: by a mechanism that writes that ion's inside concentration (a pool), or by a density
    mechanism that writes neither the concentration nor the current (Aradi & Holmes' CadepK, which
    integrates ``ica`` into a STATE of its own), where only its SOLVE'd blocks read it
    (``unsupported`` refuses a read in BREAKPOINT or INITIAL, and a point process's)."""
    if ion.kind(var) != "current":
        return False
    return any(writable(desc, ion, w) for w in ion.write) or (not desc.point and var not in ion.write)


def reversal_problem(desc: Description, ion: Ion, var: str) -> str:
    """Why ``WRITE var`` (a reversal potential, Cutsuridis et al.'s ccanl.mod: eca = RT/2F ln(cao/cai))
    is not run, or "" where it is. NEURON (checked, 9.0.2): the ion's style becomes "e state" (no
    Nernst at finitialize or in a step); a mechanism that writes no current runs its whole
    BREAKPOINT in nrn_state, after its SOLVE, and stores eX in the ion there, so every mechanism's
    currents see it at the next step; INITIAL's value is stored at finitialize, where a file whose
    INITIAL does not set eX stores what its variable held (0, then the previous run's value)."""
    if desc.point:
        return "a point process"
    if desc.currents:
        return "a mechanism that writes currents (NEURON stores eX in its nrn_cur: the mechanisms after it see it in that step)"
    if not desc.initial or not re.search(rf"\b{re.escape(var)}\s*=(?!=)", _text(desc.initial)):
        return "a mechanism whose INITIAL does not set it (NEURON then keeps the previous run's value)"
    return ""


def reversal_writes(desc: Description) -> dict[str, tuple[str, str]]:
    """Written reversal potential -> (ion, "e"), e.g. {"eca": ("ca", "e")}: a mechanism with no currents
    whose BREAKPOINT computes it (run after the SOLVE, in ``advance``) and whose INITIAL sets it."""
    return {var: (ion.name, "e") for ion in desc.ions for var in ion.write
            if ion.kind(var) == "e" and not reversal_problem(desc, ion, var)}


def conc_writes(desc: Description) -> dict[str, tuple[str, str]]:
    """Written concentration state -> (ion, "ci" | "co"), e.g. {"cai": ("ca", "ci"), "ko": ("k", "co")}."""
    return {var: (ion.name, "c" + ion.kind(var)) for ion in desc.ions for var in ion.write
            if writable(desc, ion, var)}


def current_reads(desc: Description) -> dict[str, tuple[str, str]]:
    """Ion current read -> (ion, "current"), e.g. {"ica": ("ca", "current")}."""
    return {var: (ion.name, "current") for ion in desc.ions for var in ion.read
            if readable_current(desc, ion, var)}


def ion_constants(desc: Description) -> dict[str, dict[str, float]]:
    """Ion whose concentrations the file reads or writes -> valence "z" (the file's VALENCE, else
    NEURON's) and NEURON's default inside and outside concentrations "ci", "co" (mM). An ion named
    here has its style promoted where the mechanism is inserted (``engine.ion_style``)."""
    out = {}
    for ion in desc.ions:
        if (has_valence(ion) and any(ion.kind(r) in ("i", "o") for r in ion.read)
                or any(writable(desc, ion, w) for w in ion.write)):
            z = ion.valence if ion.valence is not None else ION_DEFAULTS[ion.name]["z"]
            out[ion.name] = {"z": z, "ci": ion_default(ion.name, "i"), "co": ion_default(ion.name, "o")}
    return out


def initial_states(desc: Description) -> dict[str, float]:
    """The states' values before INITIAL: 0, and the ion's default for a written concentration
    (NEURON's generated nrn_init copies the ion's ``cai`` or ``ko`` into the state before the
    INITIAL block)."""
    seeds = dict.fromkeys(desc.states, 0.0)
    for var, (ion, what) in conc_writes(desc).items():
        seeds[var] = ion_default(ion, what[1])
    return seeds


def state_reads(desc: Description, fields) -> tuple[str, ...]:
    """The ion ``fields`` read by INITIAL or the SOLVE'd blocks, or by any FUNCTION or PROCEDURE
    (they may be called there): what nrn_init and nrn_state read, where NEURON's mechanism order
    decides which value a mechanism sees of an eX another one writes (``engine.writers``)."""
    blocks = [desc.initial, *desc.functions.values(), *desc.procedures.values()]
    blocks += [b for group in (desc.derivatives, desc.linears, desc.nonlinears) for k, b in group.items()
               if any(k == name for name, _ in desc.solves + desc.initial_solves)]
    text = "\n".join(_text(b) for b in blocks if b is not None)
    return tuple(f for f in fields if re.search(rf"\b{re.escape(f)}\b", text))


def engine_attributes(desc: Description, ion_fields) -> dict:
    """The class attributes by which the engine runs a mechanism's ions: ``conc_writes``,
    ``ion_constants``, ``reversal_writes`` and ``state_reads`` (see the functions of those names)."""
    return {"conc_writes": conc_writes(desc), "ion_constants": ion_constants(desc),
            "reversal_writes": reversal_writes(desc), "state_reads": state_reads(desc, ion_fields)}
