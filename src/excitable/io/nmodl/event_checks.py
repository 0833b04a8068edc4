"""What the event path (``artificial.py``) does not run, found in the file's text with its line
(``problems``, ``density_problems``: event calls where no event path applies), and ``mod check``'s
lines on a file's events (``event_lines``)."""

from __future__ import annotations

import re

from excitable.io.nmodl import events, for_netcons, watch
from excitable.io.nmodl.artificial import electrode_currents, event_state_names, is_artificial, queue_size
from excitable.io.nmodl.block_bodies import nested, top_level
from excitable.io.nmodl.describe import Description
from excitable.io.nmodl.parse import strip_comments
from excitable.io.nmodl.queue_growth import CAP


def problems(mod, desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of what the event path does not run, for the files ``events.uses`` picks."""
    found = []
    blocks = _block_ranges(lines)
    for n, line in enumerate(lines, 1):
        for call in ("net_send", "net_event", "net_move"):
            allowed = ("NET_RECEIVE", "INITIAL") if call == "net_send" else ("NET_RECEIVE",)
            if re.search(rf"\b{call}\s*\(", line) and blocks.get(n) not in allowed:
                found.append((n, f"{call}() outside {' and '.join(allowed)}"))
        if at_time_value(line):
            found.append((n, "at_time() used for its value"))
        if re.search(r"\bstate_discontinuity\s*\(", line) and blocks.get(n) != "NET_RECEIVE":
            found.append((n, "state_discontinuity() outside NET_RECEIVE"))
        if blocks.get(n) == "NET_RECEIVE" and re.search(r"\bv\b", line) and is_artificial(mod):
            found.append((n, "v in the NET_RECEIVE of an ARTIFICIAL_CELL (it sits in no segment)"))
    header = next((n for n, line in enumerate(lines, 1) if re.search(r"\b(ARTIFICIAL_CELL|POINT_PROCESS)\b", line)), 0)
    if is_artificial(mod) and (desc.currents or electrode_currents(mod) or desc.ions):
        found.append((header, "ARTIFICIAL_CELL with a membrane current or an ion (an artificial cell has no membrane)"))
    for name in ("diam", "area") if is_artificial(mod) else ():  # a POINT_PROCESS gets its segment's
        if name in desc.assigned or name in desc.parameters:
            n = next((n for n, line in enumerate(lines, 1) if re.search(rf"\b{name}\b", line)), header)
            found.append((n, f"{name} in an ARTIFICIAL_CELL (it sits in no segment)"))
    found += _loop_calls([(n, line) for n, line in enumerate(lines, 1) if blocks.get(n) == "NET_RECEIVE"])
    found += _argument_problems(mod, lines) + watch.problems(lines, blocks, is_artificial(mod))
    taken = set(desc.parameters) | set(desc.assigned) | set(desc.states)
    for name in event_state_names(events.QUEUE)[1:]:
        if name in taken:
            found.append((header, f"a variable named {name!r} (excitable's event states use that name)"))
    found += [(header, f"a variable named {name!r} (excitable's per-connection states use the prefix "
                       f"{events.NETCON!r})") for name in sorted(taken) if name.startswith(events.NETCON)]
    return found


_LOOP_TOKENS = re.compile(r"\b(FROM|FOR_NETCONS|WATCH|net_send|net_event|net_move)\b|[{}]")


def _loop_calls(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line, construct) of what NET_RECEIVE does inside a FROM loop that the loop would run more than
    once: an event call (each call site holds one event per block run here: a second would replace
    the first, silently: 3 self-events of ``FROM k = 1 TO 3 { net_send(0.5*k, k) }`` became 1) or a
    WATCH; and FOR_NETCONS and FROM nested in each other. A FROM loop of assignments runs as anywhere
    else (constant bounds unrolled, run-time bounds: runtime_loops.py); for_netcons.py checks what
    FOR_NETCONS' own body does."""
    found, stack, header = [], [], None  # stack: the loop each open brace opens (None: no loop)
    for n, line in body:
        for m in _LOOP_TOKENS.finditer(line):
            token = m.group(0)
            if token == "{":
                stack.append(header)
                header = None
            elif token == "}":
                if stack:
                    stack.pop()
            elif token == "FROM":
                if "FOR_NETCONS" in stack:
                    found.append((n, "FROM inside FOR_NETCONS in NET_RECEIVE"))
                header = token
            elif token == "FOR_NETCONS":
                if "FROM" in stack:
                    found.append((n, "FOR_NETCONS inside a FROM loop in NET_RECEIVE"))
                header = token
            elif "FROM" in stack:
                found.append((n, f"{token}{'' if token == 'WATCH' else '()'} inside a FROM loop in NET_RECEIVE"))
    return found


def _argument_problems(mod, lines: list[str]) -> list[tuple[int, str]]:
    """NET_RECEIVE's arguments: none (NEURON's NetCon always brings a weight), and an INITIAL
    inside NET_RECEIVE that sets anything but its arguments (it runs once per connection, on that
    connection's own). A write of the weight, in the body or in that INITIAL, is run
    (``events.writes_weight``: per-connection state, as NEURON's NetCon.weight[0])."""
    block = events.net_receive(mod)
    if block is None:
        return []
    names = [a.get_node_name() for a in block.parameters]
    nr = next((n for n, line in enumerate(lines, 1) if re.search(r"\bNET_RECEIVE\b", line)), 0)
    if not names:
        return [(nr, "NET_RECEIVE without arguments (the first is the NetCon's weight)")]
    found = []
    for n, line in nested(lines, "NET_RECEIVE", "INITIAL"):
        written = re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", line)
        found += [(n, f"INITIAL inside NET_RECEIVE setting {w!r} (only its arguments, per connection)")
                  for w in written if w not in names]
        if re.search(r"\b(net_send|net_event|net_move|state_discontinuity)\s*\(", line):
            found.append((n, "INITIAL inside NET_RECEIVE calling an event function"))
    return found


def density_problems(mod, desc: Description, lines: list[str]) -> list[tuple[int, str]]:
    """(line, construct) of event calls, ELECTRODE_CURRENT and after_cvode where the event path
    does not apply (a density mechanism, or a point process without events)."""
    found = []
    for n, line in enumerate(lines, 1):
        for call in (*events.CALLS, "state_discontinuity"):
            if re.search(rf"\b{call}\s*\(", line):
                found.append((n, f"{call}() (random numbers, events or C library calls)"))
        if at_time_value(line):
            found.append((n, "at_time() used for its value"))
        if re.search(r"\bELECTRODE_CURRENT\b", line):
            found.append((n, "ELECTRODE_CURRENT in a density mechanism"))
        if re.search(r"\bMETHOD\s+after_cvode\b", line):
            found.append((n, "SOLVE ... METHOD after_cvode outside a point process"))
    return found


def _block_ranges(lines: list[str]) -> dict[int, str]:
    """line number -> the top-level block it is in (NET_RECEIVE, INITIAL, BREAKPOINT, ...), from its
    header's line to its closing brace's, wherever its ``{`` stands (ModelDB 2014822 ltpltd.mod:
    ``NET_RECEIVE(...)`` and ``{`` on the next line, as nocmodl accepts); lines in none are left out."""
    return {n: b.name for b in top_level(lines) for n in b.lines}


def event_lines(mod, desc: Description) -> list[str]:
    """``excitable mod check``'s lines on events: what NET_RECEIVE does, the electrode current."""
    from excitable.io.nmodl import nrn_cur_values

    lines = strip_comments(mod.text)
    if not (desc.point or is_artificial(mod)):
        return []
    if not events.uses(mod, desc, lines):
        return nrn_cur_values.check_lines(mod, desc)
    code = "\n".join(lines)
    used = [c for c in (*events.CALLS, "flag", "state_discontinuity", "WATCH") if re.search(rf"\b{c}\b", code)]
    out = []
    if used:
        size = queue_size(lines)
        out.append(f"  events: {', '.join(used)} (NEURON's fixed-step delivery; "
                   + (f"{size} pending self-events per instance, and a run needing more runs again with up to "
                      f"{CAP}; ex.load_mod(path, queue=N) for more)" if size else "no self-events)"))
    nr = events.net_receive(mod)
    if nr is not None and len(nr.parameters) > 1:
        args = ", ".join(a.get_node_name() for a in list(nr.parameters)[1:])
        out.append(f"  per-connection arguments: {args} (each NetCon's own: 0 at finitialize, then NET_RECEIVE's "
                   "INITIAL; a self-event brings back its sender's)")
    if events.writes_weight(nr):
        out.append(f"  weight: {nr.parameters[0].get_node_name()} is written (plasticity"
                   + (", or read by FOR_NETCONS" if for_netcons.loops(nr) else "")
                   + "): each NetCon keeps its own, as NEURON's NetCon.weight[0]")
    if nr is not None and for_netcons.loops(nr):
        out.append("  FOR_NETCONS: every NetCon onto the instance (weight-0 ones and the event's own included), "
                   "its arguments that NetCon's weight vector")
    out += watch.check_lines(mod, lines)
    if electrode_currents(mod):
        out.append(f"  electrode current: {', '.join(electrode_currents(mod))} (nA, injected)")
    return out + nrn_cur_values.check_lines(mod, desc)


def at_time_value(line: str) -> bool:
    """Whether ``line`` uses ``at_time(...)`` other than as a statement of its own. NEURON's fixed
    step gives it a value (1 in the step whose time reaches its argument, from NEURON's clock) that
    no block here computes; as a statement (ModelDB's nacur.mod: ``at_time(del)`` before an ``if
    (t > del)``) the value is dropped and only the variable step would stop there: a no-op."""
    # svclmp.mod: if (dur1) {at_time(dur1)}; nacur.mod: at_time(del)  at_time(del + dur) (two statements)
    inner = r"[^()]*"
    for _ in range(3):  # parentheses in the argument, three deep: miocinovic2006's at_time(del + (j*(conv/freq)))
        inner = rf"(?:[^()]|\({inner}\))*"
    statement = re.compile(rf"(^|[{{;])(\s*)at_time\s*\({inner}\)\s*(?=$|[}};]|at_time\b)")
    while (shorter := statement.sub(r"\1\2", line, count=1)) != line:
        line = shorter
    return bool(re.search(r"\bat_time\s*\(", line))
