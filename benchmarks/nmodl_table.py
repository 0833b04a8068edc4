"""The comparison table of docs/nmodl.md: every mechanism the NMODL tests compare with NEURON, the
constructs it uses, and the largest difference from NEURON of each trace (relative to the trace's
largest magnitude) over the voltage-clamp family and the current clamp of
tests/io/nmodl/test_neuron_side_by_side.py (the same runs, on both sides); then the pools of
tests/io/nmodl/test_pools.py (a clamp to 0 mV; capmpr also a current clamp), the ball-and-stick cell
of tests/io/test_model_parameters.py (spike times) and the point processes of
tests/io/nmodl/test_point.py (largest difference relative to each trace's range), and the rows of
the other test modules' ``comparison_rows()`` (the same runs as their tests, nothing asserted).

Usage: python benchmarks/nmodl_table.py [--write]   (--write replaces the table in docs/nmodl.md)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "nmodl.md"
EVENTS = ROOT / "tests" / "io" / "nmodl" / "mod_events"  # the event-path test files
BEGIN, END = "<!-- nmodl-table:begin -->", "<!-- nmodl-table:end -->"

#: NMODL keyword or call -> how the table names it
CONSTRUCTS = {
    r"METHOD\s+cnexp": "cnexp", r"METHOD\s+derivimplicit": "derivimplicit", r"METHOD\s+euler": "euler",
    r"\bKINETIC\b": "KINETIC/sparse", r"\bCONSERVE\b": "CONSERVE", r"STEADYSTATE": "STEADYSTATE",
    r"\bFUNCTION\b": "FUNCTION", r"\bPROCEDURE\b": "PROCEDURE", r"\bif\s*\(": "if/else",
    r"\bTABLE\b": "TABLE", r"\bGLOBAL\b": "GLOBAL", r"\bLOCAL\b": "LOCAL", r"\bcelsius\b": "celsius",
    r"\bghk\s*\(": "ghk()", r"=[ \t]*\((faraday|k-mole|pi|k|e|boltzmann)\)": "unit factors (FARADAY, R, ...)", r"\bNONSPECIFIC_CURRENT\b": "NONSPECIFIC",
    # READ's list only (up to WRITE): a pool's READ ica WRITE cai reads no concentration
    r"READ(?:(?!WRITE)[^\n])*\b(cai|cao|nai|nao|ki|ko)\b": "reads concentrations",
    r"READ(?:(?!WRITE)[^\n])*\be(na|k|ca)\b": "reads E",
    r"WRITE[^\n]*\bcai\b": "writes cai", r"\bCOMPARTMENT\b": "COMPARTMENT", r"<<": "<< flux",
    r"\bDEFINE\b": "DEFINE", r"\bFROM\s+\w+\s*=": "FROM loop", r"\b\w+\s*\[\s*\w+\s*\]\s*\(": "arrays", r"\bdiam\b": "diam", r"\barea\b": "area", r"\bdt\b": "dt",
    r"[(*/+-]\s*t\s*[)*/+-]": "t", r"\bNET_RECEIVE\b": "NET_RECEIVE", r"\bPOINT_PROCESS\b": "POINT_PROCESS",
    r"\bnet_send\s*\(": "net_send", r"\bflag\b": "flag", r"\bnet_event\s*\(": "net_event",
    r"\bnet_move\s*\(": "net_move", r"\bARTIFICIAL_CELL\b": "ARTIFICIAL_CELL", r"\bELECTRODE_CURRENT\b": "ELECTRODE_CURRENT",
    r"NET_RECEIVE\s*\(\s*\w+\s*(\([^)]*\))?\s*,": "per-NetCon arguments", r"\bstate_discontinuity\s*\(": "state_discontinuity",
    r"\bweight\s*=\s*weight\b": "writes its weight", r"\bLINEAR\b": "LINEAR", r"\bNONLINEAR\b": "NONLINEAR", r"~\+": "~+",
    r"\bFUNCTION_TABLE\b": "FUNCTION_TABLE", r"\bWATCH\b": "WATCH", r"\bPOINTER\b": "POINTER",
    # a current read by a file that writes no concentration of that ion (a pool's READ ica WRITE cai is not)
    r"USEION\s+(\w+)\s+READ(?:(?!WRITE)[^\n])*?\bi\1\b(?![^\n]*WRITE[^\n]*\b\1i\b)": "reads an ion current",
    r"USEION\s+(?!(?:na|k|ca)\b)(\w+)\s[^\n]*\b\1[io]\b": "other ions",  # with their concentrations
    r"USEION\s+(\w+)\s[^\n]*WRITE[^\n]*\be\1\b": "WRITE eX",
    r"USEION\s+(\w+)\s[^\n]*WRITE[^\n]*\b\1o\b": "WRITE Xo",  # an outside concentration
}
#: test_pools runs: (files, sections, recorded sections, runs {label: keyword arguments})
POOL_CASES = [
    (("cachan1", "capmpr"), "ONE", ("soma",), {"vclamp": {"clamp": "CLAMP"},
                                               "iclamp": {"iclamp": (2.0, 20.0, 0.005), "v_init": -65.0}}),
    (("cachan1", "nm_shells"), "ONE", ("soma",), {"vclamp": {"clamp": "CLAMP"}}),
    (("cachan1", "cabpump"), "ONE", ("soma",), {"vclamp": {"clamp": "CLAMP"}}),
    (("cachan1", "nm_geom"), "TWO", ("soma", "dend"), {"vclamp": {"clamp": "CLAMP"}}),
    (("cachan1", "nm_cadecay", "nm_kca"), "ONE", ("soma",), {"vclamp": {"clamp": "CLAMP"}}),
    (("cachan1", "nm_cadecay", "release"), "ONE", ("soma",), {"vclamp": {"clamp": "CLAMP"}}),
]
#: test_point runs: row -> (NEURON's built-in, parameters, NetCon weight (uS), recorded variables).
#: The point-process engineer's files add their rows here.
POINT_CASES = {
    "ExpSyn (expsyn.mod)": ("ExpSyn", {"tau": 2.0, "e": 0.0}, 0.004, ["g"]),
    "Exp2Syn (exp2syn.mod)": ("Exp2Syn", {"tau1": 0.5, "tau2": 3.0, "e": -10.0}, 0.002, ["A", "B", "g"]),
}


def constructs(stems) -> str:
    from excitable.io.nmodl.parse import strip_comments
    from tests.io.nmodl.neuron_side import mod_file

    text = "\n".join("\n".join(strip_comments(Path(s).read_text() if "/" in str(s) else mod_file(s).read_text()))
                     for s in stems)
    return ", ".join(name for pattern, name in CONSTRUCTS.items() if re.search(pattern, text))


def table() -> str:
    from tests.io.nmodl import test_neuron_side_by_side as t
    from tests.io.nmodl.neuron_side import mod_file

    rows = ["| mechanism (file) | constructs | trace: largest difference from NEURON (vclamp family / iclamp) | spikes |",
            "| --- | --- | --- | --- |"]
    for case in sorted(t.CASES):
        stems, suffixes, _, celsius = t.CASES[case]
        vc = t.clamp_family(case)
        ic, ours, theirs = t.current_clamp(case)
        traces = "; ".join(f"{k} {vc[k]:.1e} / {ic.get(k, 0.0):.1e}" for k in vc)
        spikes = f"{len(ours)} vs {len(theirs)}" + (f", times within {max(abs(a - b) for a, b in zip(ours, theirs)):.3f} ms"
                                                     if len(ours) and len(ours) == len(theirs) else "")
        files = " + ".join(f"{sfx} ({mod_file(stem).name})" for stem, sfx in zip(stems, suffixes))
        rows.append(f"| {files}, {celsius:g} °C | {constructs(stems)} | {traces} | {spikes} |")
    return "\n".join(rows + pool_rows() + [cell_row()] + point_rows() + event_rows() + style_rows() + nonlinear_rows()
                     + ion_rows() + newer_rows() + published_form_rows() + published_form_rows(later_forms()))


def pool_rows() -> list[str]:
    """The pools, side by side (tests/io/nmodl/test_pools.py), one row per case."""
    from tests.io.nmodl import test_pools as p
    from tests.io.nmodl.test_neuron_side_by_side import worst

    rows = []
    for stems, sections, at, runs in POOL_CASES:
        parts = []
        for label, kw in runs.items():
            kw = {k: getattr(p, v) if isinstance(v, str) else v for k, v in kw.items()}
            mine = p.ours(stems, sections=getattr(p, sections), at=at, **kw)
            theirs = p.neurons(stems, sections=getattr(p, sections), at=at, **kw)
            parts.append(f"{label}: " + ", ".join(f"{k} {worst(mine[k], theirs[k]):.1e}" for k in theirs
                                                  if k in mine.traces))  # V and states
        files = " + ".join(f"{p.cls(s).__name__} ({p.mod_file(s).name})" for s in stems)
        where = ", a 20-µm soma and a 2-µm dendrite" if sections == "TWO" else ""
        rows.append(f"| {files}{where}, 16 °C | {constructs(stems)} | {'; '.join(parts)} | 0 vs 0 |")
    return rows


def cell_row() -> str:
    """The ball-and-stick cell with an imported calcium pool (tests/io/test_model_parameters.py)."""
    import json
    import tempfile

    import numpy as np

    from tests.io import test_model_parameters as t

    fit = json.loads(json.dumps(t.FIT))
    fit["genome"][4]["value"] = 0.005
    fit["genome"].append({"section": "soma", "name": "gamma_bs_cad", "value": 0.5, "mechanism": "bs_cad"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fit.json"
        path.write_text(json.dumps(fit))
        h = t.h.__wrapped__()  # the test's fixture: the cell's files compiled once and loaded
        ours, theirs = t._ours(path), t._neuron_spikes(h, fit)
    within = f", times within {np.max(np.abs(ours - theirs)):.1e} ms" if len(ours) == len(theirs) and len(ours) else ""
    files = sorted(f.name for f in t.MOD_DIR.glob("*.mod"))
    return (f"| ball-and-stick cell ({', '.join(files)}; Allen-style parameters) | "
            f"{constructs([str(f) for f in sorted(t.MOD_DIR.glob('*.mod'))])} | spike times only | "
            f"{len(ours)} vs {len(theirs)}{within} |")


def point_rows() -> list[str]:
    """The point processes on an hh.mod compartment against NEURON's built-ins (test_point.py)."""
    import excitable as ex
    from tests.io.nmodl import test_point as t
    from tests.io.nmodl.neuron_side import share
    from tests.io.nmodl.test_neuron_side_by_side import spike_times

    folder = share() / "modfile"
    stems = sorted({row.split("(")[1].rstrip(")") for row in POINT_CASES} | {"hh.mod"})
    mods = ex.load_mod([folder / stem for stem in stems])
    rows = []
    for row, (kind, params, weight, signals) in POINT_CASES.items():
        ref = t.neuron_run(kind, params, weight, signals)
        ours = t.our_run(mods, getattr(mods, kind)(**params), weight, signals)
        traces = ", ".join(f"{k} {t.rel(ours[k], ref[k]):.1e}" for k in ("v", *signals))
        mine, theirs = spike_times(ours["v"]), spike_times(ref["v"])
        stem = row.split("(")[1].rstrip(")")
        rows.append(f"| {row} on hh.mod, 6.3 °C, events at {', '.join(f'{x:g}' for x in t.TIMES)} ms | "
                    f"{constructs([str(folder / stem)])} | {traces} (of each trace's range) | "
                    f"{len(mine)} vs {len(theirs)} |")
    return rows


def event_rows() -> list[str]:
    """Events, electrode currents, artificial cells, point processes' geometry and per-NetCon
    arguments (tests/io/nmodl/test_events.py, test_artificial.py, test_point_geometry.py,
    test_netcon_args.py)."""
    from tests.io.nmodl import test_artificial, test_events, test_netcon_args, test_point_geometry

    mods = test_events.mods.__wrapped__()  # the tests' fixture, called as a function
    rows = test_events.comparison_rows(mods) + test_artificial.comparison_rows(mods)
    rows += test_point_geometry.comparison_rows(test_point_geometry.mods.__wrapped__())  # diam, area, dt
    rows += test_netcon_args.comparison_rows(test_netcon_args.mods.__wrapped__())  # NET_RECEIVE(weight, on, ...)
    from tests.io.nmodl import test_plasticity

    rows += test_plasticity.comparison_rows(test_plasticity.mods.__wrapped__())  # weight = weight*fdep, STDP
    from tests.io.nmodl import test_point_convergence

    rows += test_point_convergence.comparison_rows()  # derivimplicit in a point process
    from tests.io.nmodl import test_point_linear

    rows += test_point_linear.comparison_rows()  # LINEAR, NONLINEAR, ~+ in point processes and artificial cells
    return [f"| {row} | {constructs([str(f) for f in files])} | {traces} | {spikes} |"
            for row, files, traces, spikes in rows]


def style_rows() -> list[str]:
    """NEURON's per-section ion style (tests/io/nmodl/test_ion_style.py)."""
    from tests.io.nmodl import test_ion_style

    return [f"| {row} | {constructs([str(f) for f in files])} | {traces} | {spikes} |"
            for row, files, traces, spikes in test_ion_style.comparison_rows() + point_style_rows()]


def nonlinear_rows() -> list[str]:
    """NONLINEAR blocks, a library of their own (tests/io/nmodl/test_nonlinear.py)."""
    from tests.io.nmodl import test_nonlinear

    return [f"| {row} | {constructs([str(f) for f in files])} | {traces} | {spikes} |"
            for row, files, traces, spikes in test_nonlinear.comparison_rows()]


def ion_rows() -> list[str]:
    """Ion currents read, ions other than na, k, ca, reversal potentials and outside concentrations
    written (tests/io/nmodl/test_current_reads.py, test_other_ions.py, test_reversal_writes.py,
    test_outside_writes.py)."""
    from tests.io.nmodl import test_current_reads, test_other_ions, test_outside_writes, test_reversal_writes

    rows = test_current_reads.comparison_rows() + test_other_ions.comparison_rows()
    rows += test_reversal_writes.comparison_rows() + test_outside_writes.comparison_rows()
    return [f"| {row} | {constructs([str(f) for f in files])} | {traces} | {spikes} |"
            for row, files, traces, spikes in rows]


def newer_rows() -> list[str]:
    """FUNCTION_TABLE, WATCH, events off the dt grid, POINTER and a point process as a spike source
    (tests/io/nmodl/test_function_tables.py, test_watch.py, test_event_timing.py, test_pointer.py,
    test_point_sources.py)."""
    from tests.io.nmodl import test_event_timing, test_function_tables, test_point_sources, test_pointer, test_watch

    rows = test_function_tables.comparison_rows() + test_watch.comparison_rows()
    rows += test_event_timing.comparison_rows() + test_pointer.comparison_rows() + test_point_sources.comparison_rows()
    return [f"| {row} | {constructs([str(f) for f in files])} | {traces} | {spikes} |"
            for row, files, traces, spikes in rows]


#: Forms found in published ModelDB files, each in a test file of ours (what, files, compare_mods options),
#: run as `excitable mod compare` runs them (every density mechanism alone under the voltage-clamp
#: family, all together under a current step; a point process on hh under a spike train).
PUBLISHED_FORMS = [
    ("a GLOBAL PARAMETER set in INITIAL (CaBK.mod's form, ModelDB 155602)", ["nm_pinit_global"], {}),
    ("a RANGE PARAMETER set in INITIAL and BREAKPOINT", ["nm_pinit_range"], {}),
    ("PARAMETERs set at every step (peak.mod's vpeak, tpeak, ModelDB 267088)", ["nm_pinit_peak"], {}),
    ("a point process whose INITIAL sets a PARAMETER (exp2syn's tau1 guard), tau1 = tau2 = 10 ms", ["nm_pinit_syn"],
     {"settings": ["nm_pinit_syn.tau1=10", "nm_pinit_syn.tau2=10"]}),
    ("cai declared in PARAMETER and written (Destexhe's cad.mod form) beside ica, eca declared in PARAMETER",
     ["nm_cadparam", "nm_caparamchan"], {}),
    ("a value BREAKPOINT sets and the SOLVE'd block sets again before reading (kcasimple.mod's oinf)",
     ["nm_feedrate", "nm_cadecay", "cachan1"], {}),
    ("a SOLVE inside else (capr.mod's pool, ModelDB 182134) fed by cachan1", ["nm_ifsolve", "cachan1"], {}),
    ("a SOLVE two ifs deep, in else if and a bare block", ["nm_ifsolve_deep"], {}),
    ("KINETIC SOLVEs inside ifs of INITIAL (STEADYSTATE) and BREAKPOINT", ["nm_ifsolve_init"], {}),
    ("division by a parameter that is 0 (kc.mod's form, ModelDB 84589): C's inf", ["nm_zero_div"], {}),
    ("a Ca pool that starts empty (cai = 0: NEURON's Nernst +1e6 mV) beside a current reading eca",
     ["nm_zero_pool", "nm_zero_leak"], {}),
    ("a POINTER no block reads (ican.mod's jip3p, ModelDB 267599), left unset on both sides", ["nm_unreadpointer"], {}),
    ("a value BREAKPOINT computes from v that the cnexp SOLVE'd block reads (ican.mod's ican), as nrn_cur left it",
     ["nm_feedv"], {}),
    ("the same from cai and eca, derivimplicit, beside a pool and cachan1", ["nm_feedca", "nm_cadecay", "cachan1"], {}),
    ("the same in a KINETIC scheme", ["nm_feedkin"], {}),
    ("FROM loops bounded by PARAMETERs (kahp.mod's FROM i = 1 TO gexp, ModelDB 84589), n = 2.7, p = 2",
     ["nm_fromparam"], {"settings": ["nm_fromparam.n=2.7", "nm_fromparam.p=2"]}),
    ("a FROM bound in ASSIGNED that hoc sets (kahp.mod's exp_n), pw = 3", ["nm_fromparam_hoc"],
     {"settings": ["nm_fromparam_hoc.pw=3"]}),
    ("a point process whose BREAKPOINT sets, from v, what its SOLVE'd block relaxes to (shunt.mod, ModelDB 93326), "
     "0.15 nA", ["pt_feed"], {"amplitude_nA": 0.15}),
    ("a max tracker in BREAKPOINT that nothing else reads (if (v > vmax) { vmax = v })", ["nm_bpmem_max"], {}),
    ("a clamp in BREAKPOINT of a value set first in the same run", ["nm_bpmem_clamp"], {}),
    ("INITIAL ending in VERBATIM return; ENDVERBATIM (ichan2.mod, ModelDB 123815)", ["nm_initreturn"], {}),
    ("ASSIGNED that only hoc sets (cadyn.mod's CAF, ModelDB 82784), a RANGE scale = 1.5 and a GLOBAL slow = 4",
     ["nm_hocknob"], {"settings": ["nm_hocknob.scale=1.5", "nm_hocknob.slow=4"]}),
    ("a point process's FROM loop bounded by a PARAMETER, n = 5.5 (C's 5)", ["pt_fromparam"],
     {"settings": ["pt_fromparam.n=5.5"]}),
    ("t compared with times on the dt grid (Popovic et al. 2005's EPSPClamp.mod), a density mechanism and a point "
     "process", ["nm_tgrid", EVENTS / "pp_tgrid.mod"], {}),
    ("a BREAKPOINT stepping a gate, a counter and a filter it keeps (gkcadend.mod's form, ModelDB 120910): twice a step",
     ["nm_bptwice", "hh"], {}),
    ("GLOBAL tadj from q10, temp and celsius (Mainen's ca.mod, kca.mod), a factor through a FUNCTION, 36 degC",
     ["nm_tadjna", "nm_tadjg", "nm_tadjfn"], {"celsius": 36.0}),
    ("GLOBAL scratch values in INITIAL (org.neuroml.export's cad), a GLOBAL array set by element (naf.mod), a "
     "PARAMETER BREAKPOINT sets", ["nm_gscratch", "nm_gcalla", "nm_bpparam"], {}),
    ("VERBATIM copying a read ion variable (Ican.mod), keywords in printf text, a SOLVE'd PROCEDURE's early return",
     ["nm_ioncopy", "nm_strkw", "nm_procguard"], {}),
    ("an ion without VALENCE beside a file declaring it (Blue Brain's NaTg.mod reading ttxo, ttxi)",
     ["nm_ttxchan", "nm_ttxvalence"], {}),
    ("a Destexhe pulse synapse holding more than 4 self-events (nmdanet.mod's form, Cdur 30 ms)",
     [EVENTS / "pt_cdur.mod"], {}),
    ("an early return in C guarding NET_RECEIVE (Blue Brain's DetAMPANMDA.mod form)", [EVENTS / "ev_vret.mod"], {}),
]


def later_forms() -> list[tuple]:
    """Arrays kept between blocks and chosen in the run, loops bounded in the run, BREAKPOINTs run
    twice, values NET_RECEIVE reads, ion start values: (what, files, compare_mods options) from the
    tests' own constants (tests/io/nmodl/test_array_memory.py, test_runtime_index.py,
    test_runtime_loops.py, test_point_breakpoint_twice.py, test_breakpoint_twice.py,
    test_nrn_cur_values.py, test_netreceive_scopes.py, test_ion_start_values.py,
    test_netreceive_loops.py), as they run them."""
    from tests.io.nmodl import test_array_memory as am
    from tests.io.nmodl import test_ion_start_values as isv
    from tests.io.nmodl import test_netreceive_loops as nrl
    from tests.io.nmodl import test_netreceive_scopes as nrs
    from tests.io.nmodl import test_point_breakpoint_twice as pbt
    from tests.io.nmodl import test_runtime_index as rti
    from tests.io.nmodl import test_runtime_loops as rtl
    from tests.io.nmodl.neuron_side import mod_file

    return [
        ("ASSIGNED array elements one block sets and a later one reads (set in INITIAL, a counter in a SOLVE'd "
         "PROCEDURE, a filter and a peak in BREAKPOINT, a GLOBAL array)", am.DENSITY, {}),
        ("the same on a point process, an event path and an artificial cell, events at 2, 6, 9 ms", am.POINTS,
         {"spikes": "2,6,9", "weight": 0.004}),
        ("a STATE array stepped and read at a counter's index, known only in the run", [rti.DENS], {}),
        ("IF_BG4.mod's spiketimes[nspike] = t and GRANULE_Ampa_det_vi.mod's PRE[fi] in NET_RECEIVE", [rti.REC],
         {"spikes": ",".join(f"{t:g}" for t in rti.TIMES), "weight": rti.WEIGHT}),
        ("a FROM loop whose bounds are known only in the run", [rtl.SUM], {}),
        ("GRANULE_Ampa_det_vi.mod's FROM i = cntc TO numpulses over PRE[i]", [rtl.PRE],
         {"spikes": rtl.TIMES, "weight": rtl.WEIGHT}),
        ("point processes keeping values in BREAKPOINT (a gate, counters, an adaptive IF's w), plain, event and "
         "ELECTRODE_CURRENT paths: BREAKPOINT twice a step", [pbt.PLAIN, pbt.EVENTS, pbt.ADIF, pbt.OWN / "pt_ecur.mod"], {}),
        ("a BREAKPOINT filter feeding a chain, g = 1e-6 (well conditioned), beside hh",
         [mod_file("nm_bpfilter"), mod_file("hh")],
         {"settings": ("nm_bpfilter.g=1e-6",)}),
        ("values BREAKPOINT accumulates or sets on a path, read by NET_RECEIVE (GranCellSolinasEtAl10's shape)",
         [nrs.HERE / "nr_pacc.mod", nrs.HERE / "nr_pcond.mod"], {"weight": 0.05}),
        ("NET_RECEIVE arguments and LOCALs named like an ASSIGNED (GRANULE_Ampa_det_vi.mod's form)",
         [nrs.HERE / f"{n}.mod" for n in nrs.FILES], {"weight": nrs.WEIGHT}),
        ("an ion concentration STATE with a cai0 the file declares (Cabuffer2.mod's form): NEURON's cai0_ca_ion",
         [isv.FILES["nm_ionstate0"]], {}),
        ("the same, WRITE cai only", [isv.FILES["nm_ionstate0w"]], {}),
        ("FROM loops in NET_RECEIVE: constant, PARAMETER and run-time bounds, on point processes and an artificial cell",
         nrl.FILES, {"spikes": nrl.TIMES, "weight": nrl.WEIGHT}),
        ("an ASSIGNED the cnexp DERIVATIVE's PROCEDURE reads before it sets it (org.neuroml.export's rates(), "
         "OSB MiglioreEtAl14 kamt.mod): the previous call's value", [mod_file("nm_prevcall"), mod_file("hh")], {}),
        ("a running maximum of V, its time and a time BREAKPOINT sets on some paths only (dv_yael.mod's form)",
         [mod_file("nm_bpkeep"), mod_file("hh")], {}),
    ]


def published_form_rows(forms=None) -> list[str]:
    """``forms`` (PUBLISHED_FORMS by default) by compare_mods (the tests: tests/io/nmodl/test_parameter_writes.py,
    test_declared_ions.py, test_solve_feeds.py, test_nested_solve.py, test_c_arithmetic.py,
    tests/physics/test_reversal_limits.py, tests/io/nmodl/test_pointer_kinds.py; ``later_forms``' own)."""
    from excitable.workflows.neuron_compare import compare_mods
    from tests.io.nmodl.neuron_side import mod_file

    rows = []
    for what, stems, options in PUBLISHED_FORMS if forms is None else forms:
        paths = [mod_file(s) if isinstance(s, str) else s for s in stems]
        result = compare_mods(paths, **options)
        worst = max(result.rows, key=lambda r: r.difference)
        spikes = "; ".join(f"{len(a)} vs {len(b)}" for _, a, b in result._sets()) or "clamped"
        rows.append(f"| {what} ({', '.join(p.name for p in paths)}), `mod compare` | {constructs([str(p) for p in paths])} | "
                    f"{len(result.rows)} traces, the largest difference {worst.trace} {worst.difference:.1e} | {spikes} |")
    return rows


def point_style_rows() -> list[tuple]:
    """A point process promoting the ion style (tests/io/nmodl/test_point_ion_style.py)."""
    from tests.io.nmodl import test_point_ion_style

    return test_point_ion_style.comparison_rows()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    text = table()
    print(text)
    if args.write:
        doc = DOC.read_text()
        start, stop = doc.index(BEGIN) + len(BEGIN), doc.index(END)
        DOC.write_text(doc[:start] + "\n" + text + "\n" + doc[stop:])


if __name__ == "__main__":
    main()
