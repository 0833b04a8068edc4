"""Words for the tour: units from summary keys, number formatting, and the mechanism from a docstring."""

from __future__ import annotations

import math
import re

#: Summary-key suffix (after the last word of the quantity) -> the unit shown. Longest match wins,
#: so "velocity_m_s" is m/s, not s; the suffix must follow an underscore ("n_spikes" has none).
UNITS = {
    "m_s_per_um": "m/s per µm", "mV_per_decade": "mV/decade", "mV_ms": "mV/ms", "mV_per_ms": "mV/ms",
    "uA_cm2": "µA/cm²", "mA_cm2": "mA/cm²", "nA_cm2": "nA/cm²", "mS_cm2": "mS/cm²", "S_cm2": "S/cm²",
    "uF_cm2": "µF/cm²", "uC_cm2": "µC/cm²", "nC_cm2": "nC/cm²", "pmol_cm2": "pmol/cm²",
    "ohm_cm2": "Ω·cm²", "kohm_cm2": "kΩ·cm²", "ohm_cm": "Ω·cm", "m_s": "m/s", "mm_ms": "mm/ms",
    "um_ms": "µm/ms", "um2": "µm²", "um3": "µm³", "cm2": "cm²", "mV": "mV", "uV": "µV", "V": "V",
    "ms": "ms", "us": "µs", "s": "s", "um": "µm", "mm": "mm", "cm": "cm", "nm": "nm",
    "nA": "nA", "pA": "pA", "uA": "µA", "nS": "nS", "uS": "µS", "pS": "pS", "mS": "mS",
    "MOhm": "MΩ", "GOhm": "GΩ", "kOhm": "kΩ", "pF": "pF", "nF": "nF", "nC": "nC", "pC": "pC", "fC": "fC",
    "degC": "°C", "Hz": "Hz", "kHz": "kHz", "mM": "mM", "uM": "µM", "nM": "nM", "pct": "%", "percent": "%",
    "per_s": "/s", "per_ms": "/ms", "hz": "Hz",
}
_BY_LENGTH = sorted(UNITS, key=len, reverse=True)


def split_key(key: str) -> tuple[str, str]:
    """("label", "unit") from a summary key: "velocity_unmyelinated_m_s" -> ("velocity unmyelinated", "m/s")."""
    for suffix in _BY_LENGTH:
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix) - 1].replace("_", " "), UNITS[suffix]
    return key.replace("_", " "), ""


def format_value(value) -> str | None:
    """A scalar as text (4 significant digits), or None for what the tour does not show (lists, dicts)."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
            return f"{value:.3e}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    if isinstance(value, str):
        return value if len(value) <= 160 else value[:157] + "..."
    return None


def scalar_rows(summary: dict) -> list[tuple[str, str, str, str]]:
    """(key, label, value text, unit) for every scalar in a (JSON-ready) summary, in its order."""
    rows = []
    for key, value in summary.items():
        text = format_value(value)
        if text is not None:
            label, unit = split_key(str(key))
            rows.append((str(key), label, text, unit if text != "n/a" else ""))
    return rows


_ABBREV = ("e.g.", "i.e.", "et al.", "vs.", "cf.", "approx.", "Fig.", "fig.", "Eq.", "No.", "ca.")


def sentences(text: str) -> list[str]:
    """Split prose into sentences (not after e.g., i.e., et al. ...)."""
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", " ".join(text.split())):
        if out and out[-1].endswith(_ABBREV):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [s for s in out if s]


def paragraphs(doc: str | None) -> list[str]:
    """A docstring's paragraphs, each joined into one line."""
    if not doc:
        return []
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]


def mechanism(doc: str | None) -> list[str]:
    """The mechanism in full: every paragraph of a module docstring after its title (the first
    paragraph), each as one line with its units written as a reader writes them (``readable``)."""
    return [readable(p) for p in paragraphs(doc)[1:]]


#: Units as code and ASCII write them -> as a reader does (µ, ², °, Ω). Whole words only: "sum",
#: "maximum" and the pronoun "us" are left alone (a time in microseconds is never written "us" here).
_READABLE = [
    (re.compile(r"\bu(A|F|S|M|V|C|m|L|mol)(?=\b|[23/])"), r"µ\1"),
    (re.compile(r"\b(cm|mm|µm|um)2\b"), r"\1²"),
    (re.compile(r"\b(cm|mm|µm|um)3\b"), r"\1³"),
    (re.compile(r"\b(k|M|G)?[oO]hm(?:\s?\*\s?|\s)cm\b"), r"\1Ω·cm"),
    (re.compile(r"\b(k|M|G)[oO]hm\b"), r"\1Ω"),
    (re.compile(r"\bohms?\b"), "Ω"),
    (re.compile(r"\s?deg\s?C\b"), " °C"),
    (re.compile(r"\bumho\b"), "µS"),
]


def readable(text: str) -> str:
    """``text`` with its units as a reader writes them: uA/cm2 -> µA/cm², um -> µm, degC -> °C,
    ohm*cm -> Ω·cm (the docstrings are ASCII by choice; the page is not)."""
    for pattern, repl in _READABLE:
        text = pattern.sub(repl, text)
    return text.replace("µum", "µm").replace("uµ", "µ")


def protocol_from_title(doc: str | None) -> str:
    """What the title line says the experiment does: the text after its question mark, if any."""
    paras = paragraphs(doc)
    if not paras:
        return ""
    _, mark, rest = paras[0].partition("?")
    return rest.strip() if mark else ""


def _param_base(key: str) -> str:
    """A summary key without its unit suffix ("temperature_degC" -> "temperature")."""
    for suffix in _BY_LENGTH:
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix) - 1]
    return key


def output_rows(declaration, summary: dict) -> list[tuple[str, str, str, str]]:
    """(key, readable name, value text, unit) of the numbers a learner should read: the declaration's
    ``headline`` where it has one (its order, its names; a key this run did not measure is left out),
    else every scalar of the summary that is not one of the inputs echoed back (``temperature_degC``
    beside the parameter ``temperature``), named from its key."""
    headline = getattr(declaration, "headline", ()) if declaration is not None else ()
    if headline:
        rows = []
        for h in headline:
            text = format_value(summary.get(h.key)) if h.key in summary else None
            if text is not None:
                rows.append((h.key, readable(h.label), text, readable(h.unit) if text != "n/a" else ""))
        if rows:
            return rows
    params = set(getattr(declaration, "params", {}) or {})
    return [(k, label[:1].upper() + label[1:], v, u) for k, label, v, u in scalar_rows(summary)
            if k not in params and _param_base(k) not in params and k != "model"]


def input_rows(declaration, used: dict) -> list[tuple[str, str, str, bool, str]]:
    """(name, value text, unit, changed from the default?, help) of every parameter of the run."""
    if declaration is None:
        return []
    rows = []
    for name, param in declaration.params.items():
        value = used.get(name, param.default)
        if value is None:
            text = readable(param.default_note or "set by the run")
        else:
            text = format_value(value)
            text = str(value) if text is None else text
        unit = readable(param.unit or "") if value is not None else ""
        rows.append((name, text, unit, value != param.default, readable(param.help)))
    return rows


def lab_path(name: str, changes: dict) -> str:
    """The lab's address of experiment ``name`` with ``changes``: /x/NAME?key=value&..."""
    from urllib.parse import urlencode

    query = urlencode({k: str(v).lower() if isinstance(v, bool) else v for k, v in changes.items()})
    return f"/x/{name}" + (f"?{query}" if query else "")
