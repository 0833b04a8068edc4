"""excitable mod check|compare FILE.mod ...: NMODL files, before a run.

check: each mechanism's parameters (units, defaults), states, ions read and written, SOLVE methods,
and every construct excitable does not run with ``file:line``. Exit status 0 when every file is
supported, 2 when something is not (or a file cannot be read or parsed: one line). The files given
are read as one library, as NEURON compiles them: an ion one declares with VALENCE has it in all.

compare: the files' density mechanisms run by NEURON (compiled by nrnivmodl, kept in ~/.cache) and
by excitable side by side in one compartment, each alone under a voltage-clamp family and all
together under a current step; point processes and artificial cells on an hh compartment under a
spike train (--spikes, --weight); every trace's largest difference, spike times. A file with
FUNCTION_TABLEs needs their values, --tables FILE.json, given to both sides. A file excitable
refuses (as check reports it) or with a POINTER is a note, inserted on neither side, and the
others are compared. Exit status 0 when every trace compared is within --tolerance of NEURON's,
1 when one is not, 2 for bad input or when nothing could be compared.
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``mod`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("mod", help="check NMODL (.mod) files: parameters, states, ions, what is not supported",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("action", choices=["check", "compare"],
                   help="check: report what excitable makes of the files; compare: run them beside NEURON")
    p.add_argument("files", nargs="+", metavar="FILE.mod", help=".mod files or folders of them")
    g = p.add_argument_group("compare")
    g.add_argument("--celsius", type=float, default=None,
                   help="temperature, degC (default: NEURON's 6.3; a whole model: its parameter file's)")
    g.add_argument("--dt", type=float, default=0.025, help="time step, ms (default 0.025)")
    g.add_argument("--amplitude", type=float, default=0.1, metavar="NA",
                   help="current step of the together-run, nA (default 0.1; the compartment is 10 x 10 µm)")
    g.add_argument("--set", action="append", default=[], metavar="SUFFIX.PARAM=VALUE",
                   help="a parameter on both sides, e.g. --set NaTa_t.gNaTa_tbar=2 (repeatable)")
    g.add_argument("--tables", metavar="FILE.json",
                   help="the files' FUNCTION_TABLE values, given to both sides, in run model's format: "
                   '{"SUFFIX": {"table": {"x": [...], "y": [...]} or a number}} (two arguments: "x": [[...], [...]])')
    g.add_argument("--tolerance", type=float, default=1e-6,
                   help="largest difference allowed, of each trace's scale (default 1e-6)")
    g.add_argument("--weight", type=float, default=None, metavar="W",
                   help="point processes: the spike train's NetCon weight (default 0.001, i.e. 1 nS for "
                   "a conductance synapse; 0.6 for an artificial cell)")
    g.add_argument("--spikes", metavar="T1,T2,...", help="point processes: the train's times, ms, "
                   "from dt/2 on; off the dt grid only into files not reading the event's time (default 2,3.1,7.3,7.8,15.4)")
    g.add_argument("--queue", type=int, default=None, metavar="N",
                   help="point processes: pending self-events per instance (default 4; a run needing more "
                   "runs again with 8, 16, ... up to 64 by itself; deeper than that only with --queue)")
    g.add_argument("--with", dest="with_mechanisms", metavar="SUFFIX,...",
                   help="point processes: density mechanisms of the files, or NEURON's pas/hh, on their "
                   "compartment too (those writing what the point process reads are put there anyway)")
    g.add_argument("--cell", metavar="SWC", help="compare the whole model instead: its reconstruction "
                   "(an SWC file or a shipped cell's name), with --parameters")
    g.add_argument("--parameters", metavar="FILE.json",
                   help="the model's parameter file (Allen fit.json or a BluePyOpt-style list), with --cell")
    g.add_argument("--tstop", type=float, default=150.0,
                   help="whole model: run length, ms (the step lasts from 5 ms to tstop - 5 ms; default 150)")
    return p


def run(args) -> int:
    """check: the report, 0 if every construct is supported, else 2 (USER_ERROR); compare: the
    table, 0 when excitable gives NEURON's numbers, 1 when it does not."""
    from excitable.errors import ModelError
    from excitable.interfaces.cli.arguments import USER_ERROR

    if args.action == "check" and args.tables is not None:
        raise ModelError(f"mod check: --tables {args.tables!r} is for compare (check lists the tables a file needs)")
    if args.action == "compare" and (args.cell or args.parameters):
        from excitable.workflows.neuron_cell import compare_model

        whole = compare_model(args.files, args.cell, args.parameters, amplitude_nA=args.amplitude,
                              dt=args.dt, celsius=args.celsius, tstop=args.tstop, tables=args.tables)
        print(whole.report())
        return 0 if whole.agrees else 1
    if args.action == "compare":
        from excitable.workflows.neuron_compare import compare_mods

        celsius = 6.3 if args.celsius is None else args.celsius
        result = compare_mods(args.files, celsius=celsius, dt=args.dt, settings=args.set,
                              amplitude_nA=args.amplitude, tolerance=args.tolerance,
                              weight=args.weight, spikes=args.spikes, with_mechanisms=args.with_mechanisms,
                              tables=args.tables, queue=args.queue)
        print(result.report())
        return 0 if result.agrees else 1
    from excitable.io.nmodl.check import check_report
    from excitable.io.nmodl.loader import mod_paths
    from excitable.io.nmodl.valences import together

    with together(mod_paths(args.files)):  # an ion's VALENCE one file declares holds for all given
        report, unsupported = check_report(args.files)
    print(report)
    return USER_ERROR if unsupported else 0
