"""The tour's one HTML page: header, table of contents, one section per experiment (or its error).

Self-contained: styles inline, figures as base64 PNG data URIs, no scripts, fonts or links to load, so
the file opens offline and can be mailed as it is.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from importlib import resources
from string import Template

from excitable.interfaces.tour.text import mechanism, protocol_from_title, scalar_rows


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _value_class(text: str) -> str:
    # Numbers line up on the right; words (a method, a model name) wrap on the left.
    return "value" if len(text) <= 14 else "value text"


def _section(o) -> str:
    """One experiment's section; ``o`` is a ``excitable.interfaces.tour.Outcome``."""
    cls = "experiment" if o.ok else "experiment error"
    out = [f'<section class="{cls}" id="{_e(o.name)}" data-name="{_e(o.name)}" '
           f'data-status="{"ok" if o.ok else "error"}">',
           f"<h2>{o.index}. {_e(o.question)}</h2>",
           f'<p class="run">excitable run {_e(o.name)}{_e(o.settings_text)} &middot; {o.seconds:.1f} s</p>']
    protocol = o.protocol or protocol_from_title(o.doc)
    if protocol or o.expected:
        out.append('<div class="cols">')
        out.append(f"<div><h3>The experiment</h3><p>{_e(protocol or '(see the mechanism below)')}</p></div>")
        out.append(f"<div><h3>What it should show</h3><p>{_e(o.expected or '(not in the phenomena table)')}"
                   "</p></div>")
        out.append("</div>")
    if not o.ok:
        out.append('<div class="error-box"><strong>This experiment failed, so it has no figure.</strong> '
                   f"<code>{_e(o.error)}</code>")
        if o.traceback:
            out.append(f"<pre>{_e(o.traceback)}</pre>")
        out.append("</div>")
    if o.png:
        data = base64.b64encode(o.png).decode("ascii")
        out.append(f'<figure><img src="data:image/png;base64,{data}" alt="figure: {_e(o.name)}">'
                   f"<figcaption>Figure {o.index}: {_e(o.name)} (files in {_e(o.name)}/)</figcaption></figure>")
    rows = scalar_rows(o.summary) if o.summary else []
    why = mechanism(o.doc)
    if rows or why:
        out.append('<div class="bottom">')
        if rows:
            body = "\n".join(f'<tr><td title="{_e(k)}">{_e(label)}</td><td class="{_value_class(v)}">{_e(v)}'
                             f'</td><td class="unit">{_e(unit)}</td></tr>' for k, label, v, unit in rows)
            out.append(f'<div class="numbers"><h3>Measured</h3><table>\n{body}\n</table></div>')
        else:
            out.append("<div></div>")
        if why:
            out.append(f'<div class="why"><h3>Why: the mechanism</h3><p>{_e(why)}</p></div>')
        out.append("</div>")
    if o.ok:
        files = " ".join(f'<a href="{_e(o.name)}/{f}">{f}</a>'
                         for f in ("summary.json", "traces.csv", "figure.png", "figure.svg"))
        out.append(f'<p class="meta">Files: {files}</p>')
    out.append("</section>")
    return "\n".join(out)


def render(outcomes, *, quick: bool, total_s: float, version: str, pending: int = 0) -> str:
    """The whole page for a list of outcomes (in tour order); ``pending``: experiments still to run,
    which marks the page incomplete (the tour writes it as it goes)."""
    n = len(outcomes)
    failed = [o for o in outcomes if not o.ok]
    toc = "\n".join(
        f'    <li><a href="#{_e(o.name)}">{_e(o.question)}</a> '
        f'<span class="{"mark-ok" if o.ok else "mark-error"}">{"✓" if o.ok else "✗ failed"}</span></li>'
        for o in outcomes)
    status = (f"{n - len(failed)} of {n} experiments ran" + (f", {len(failed)} failed: "
              + ", ".join(o.name for o in failed) if failed else "") + f"; {total_s:.0f} s in all.")
    if pending:
        status = (f"INCOMPLETE: {n} of {n + pending} experiments so far ({pending} not run: the tour is "
                  f"still running, or was interrupted). " + status)
    settings = "quick settings (each experiment's QUICK parameters)" if quick else "default parameters"
    # The page's frame ships beside this module as package data (the wheel carries it).
    template = Template(resources.files(__package__).joinpath("template.html").read_text("utf-8"))
    return template.substitute(
        version=_e(version), n_total=n + pending, status_line=_e(status), toc=toc,
        sections="\n".join(_section(o) for o in outcomes),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), settings=_e(settings))
