"""The tour's one HTML page: header, table of contents, one section per experiment (or its error).

Self-contained: styles inline, figures as base64 PNG data URIs, no scripts, fonts or links to load, so
the file opens offline and can be mailed as it is. Readable on a phone: figures take the full width
of a 400-px screen and open full size on a click (a checkbox and CSS, no script); nothing scrolls
sideways. Units are written as a reader writes them (µA/cm², µm, °C: ``text.readable``).
"""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime, timezone
from importlib import resources
from string import Template

from excitable.interfaces.tour.text import (input_rows, lab_path, mechanism, output_rows, protocol_from_title,
                                            readable, sentences)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _prose(text: str) -> str:
    """Escaped prose in which a docstring's ``name`` becomes <code>name</code>."""
    return re.sub(r"``(.+?)``", r"<code>\1</code>", _e(text))


def _value_class(text: str) -> str:
    # Numbers line up on the right; words (a method, a model name) wrap on the left.
    return "value" if len(text) <= 14 else "value text"


def plain_answer(o) -> str:
    """The section's one-sentence answer: the declaration's, with this run's numbers; until an
    experiment declares one (or when this run did not measure its numbers), the first sentence of
    the mechanism, which says what happens in plain words."""
    d = o.declaration
    answer = d.answer_for(o.summary) if d is not None and o.ok else ""
    if answer:
        return readable(answer)
    why = mechanism(o.doc)
    return sentences(why[0])[0] if why else ""


def _figure(o) -> str:
    # Click (tap) to enlarge without a script: the image is the label of a hidden checkbox, and
    # the checked state shows it at its own size in a scrollable overlay (tap again to close).
    data = base64.b64encode(o.png).decode("ascii")
    zid = f"zoom-{o.index}"
    return (f'<figure><input type="checkbox" class="zoom" id="{zid}">'
            f'<label for="{zid}" title="click to enlarge; click again to close">'
            f'<img src="data:image/png;base64,{data}" alt="figure: {_e(o.question)}"></label>'
            f"<figcaption>Figure {o.index} (click to enlarge)</figcaption></figure>")


def _tables(o) -> str:
    outputs = output_rows(o.declaration, o.summary) if o.summary else []
    inputs = input_rows(o.declaration, o.params)
    if not outputs and not inputs:
        return ""
    out = ['<div class="bottom">']
    if outputs:
        body = "\n".join(f'<tr><td title="{_e(k)}">{_e(label)}</td><td class="{_value_class(v)}">{_e(v)}'
                         f'</td><td class="unit">{_e(unit)}</td></tr>' for k, label, v, unit in outputs)
        out.append(f'<div class="numbers"><h3>What it measured</h3><table>\n{body}\n</table></div>')
    if inputs:
        body = "\n".join(
            f'<tr{" class=changed" if changed else ""}><td title="{_e(hint)}"><code>{_e(name)}</code>'
            f'{" <em>changed</em>" if changed else ""}</td><td class="{_value_class(v)}">{_e(v)}</td>'
            f'<td class="unit">{_e(unit)}</td></tr>' for name, v, unit, changed, hint in inputs)
        out.append(f'<div class="inputs"><h3>Inputs</h3><table class="small">\n{body}\n</table></div>')
    out.append("</div>")
    return "\n".join(out)


def _suggestions(o) -> str:
    d = o.declaration
    if d is None:
        return ""
    # Until an experiment declares suggestions, its bench interventions (TTX, ouabain ...) are them.
    items = [(g.text, dict(g.changes)) for g in d.suggestions] or \
        [(f"{iv.label}: {iv.help}" if iv.help else iv.label, dict(iv.changes)) for iv in d.interventions]
    if not items:
        return ""
    lis = "\n".join(f"<li>{_prose(readable(text))}<br><code>{_e(d.cli_line(changes))}</code>"
                     f' <span class="lab">or in the lab: <code>{_e(lab_path(d.name, changes))}</code></span></li>'
                     for text, changes in items)
    return (f'<div class="try"><h3>Try this</h3><ul>\n{lis}\n</ul><p class="meta">The lab: start '
            f"<code>excitable lab</code> and open the path in its address.</p></div>")


def _testing(o) -> str:
    protocol = o.protocol or protocol_from_title(o.doc)
    if not (protocol or o.expected):
        return ""
    return ('<details class="testing"><summary>How we test this</summary>'
            + (f"<p><strong>The experiment:</strong> {_e(readable(protocol))}</p>" if protocol else "")
            + (f"<p><strong>What the tests check:</strong> {_e(readable(o.expected))}</p>" if o.expected else "")
            + "</details>")


def _section(o) -> str:
    """One experiment's section; ``o`` is a ``excitable.interfaces.tour.Outcome``: the plain answer,
    the figure, the mechanism, the model, the numbers (outputs, then inputs), what to try, and the
    test's specification folded away."""
    cls = "experiment" if o.ok else "experiment error"
    out = [f'<section class="{cls}" id="{_e(o.name)}" data-name="{_e(o.name)}" '
           f'data-status="{"ok" if o.ok else "error"}">',
           f"<h2>{o.index}. {_e(readable(o.question))}</h2>"]
    answer = plain_answer(o)
    if answer:
        out.append(f'<p class="answer">{_prose(answer)}</p>')
    out.append(f'<p class="run">excitable run {_e(o.name)}{_e(o.settings_text)} &middot; {o.seconds:.1f} s</p>')
    if not o.ok:
        out.append('<div class="error-box"><strong>This experiment failed, so it has no figure.</strong> '
                   f"<code>{_e(o.error)}</code>")
        if o.traceback:
            out.append(f"<pre>{_e(o.traceback)}</pre>")
        out.append("</div>")
    if o.png:
        out.append(_figure(o))
    why = mechanism(o.doc)
    if why:
        out.append('<div class="why"><h3>Why: the mechanism</h3>'
                   + "".join(f"<p>{_prose(p)}</p>" for p in why) + "</div>")
    note = getattr(o.declaration, "model_note", "")
    if note:
        out.append(f'<p class="model"><strong>The model:</strong> {_prose(readable(note))}</p>')
    out += [part for part in (_tables(o), _suggestions(o), _testing(o)) if part]
    if o.ok:
        files = " ".join(f'<a href="{_e(o.name)}/{f}">{f}</a>'
                         for f in ("summary.json", "traces.csv", "figure.png"))
        out.append(f'<p class="meta">Files: {files}</p>')
    out.append("</section>")
    return "\n".join(out)


def render(outcomes, *, quick: bool, total_s: float, version: str, pending: int = 0) -> str:
    """The whole page for a list of outcomes (in tour order); ``pending``: experiments still to run,
    which marks the page incomplete (the tour writes it as it goes)."""
    n = len(outcomes)
    failed = [o for o in outcomes if not o.ok]
    toc = "\n".join(
        f'    <li><a href="#{_e(o.name)}">{_e(readable(o.question))}</a> '
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
