"""The comparison table of docs/nmodl.md: every mechanism the NMODL tests compare with NEURON, the
constructs it uses, and the largest difference from NEURON of each trace (relative to the trace's
largest magnitude) over the voltage-clamp family and the current clamp of
tests/io/nmodl/test_neuron_side_by_side.py (the same runs, on both sides).

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
BEGIN, END = "<!-- nmodl-table:begin -->", "<!-- nmodl-table:end -->"

#: NMODL keyword or call -> how the table names it
CONSTRUCTS = {
    r"METHOD\s+cnexp": "cnexp", r"METHOD\s+derivimplicit": "derivimplicit", r"METHOD\s+euler": "euler",
    r"\bKINETIC\b": "KINETIC/sparse", r"\bCONSERVE\b": "CONSERVE", r"STEADYSTATE": "STEADYSTATE",
    r"\bFUNCTION\b": "FUNCTION", r"\bPROCEDURE\b": "PROCEDURE", r"\bif\s*\(": "if/else",
    r"\bTABLE\b": "TABLE", r"\bGLOBAL\b": "GLOBAL", r"\bLOCAL\b": "LOCAL", r"\bcelsius\b": "celsius",
    r"\bghk\s*\(": "ghk()", r"=[ \t]*\((faraday|k-mole|pi|k|e|boltzmann)\)": "unit factors (FARADAY, R, ...)", r"\bNONSPECIFIC_CURRENT\b": "NONSPECIFIC",
    r"READ[^\n]*\b(cai|cao|nai|nao|ki|ko)\b": "reads concentrations", r"READ[^\n]*\be(na|k|ca)\b": "reads E",
}


def constructs(stems) -> str:
    from excitable.io.nmodl.parse import strip_comments
    from tests.io.nmodl.neuron_side import mod_file

    text = "\n".join("\n".join(strip_comments(mod_file(s).read_text())) for s in stems)
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
    return "\n".join(rows)


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
