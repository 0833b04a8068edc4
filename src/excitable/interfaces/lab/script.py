"""The path to code: the CLI line and a short Python script that reproduce a lab run exactly.

The script passes the parameters the learner changed (the others are the declaration's defaults,
as in the lab) and prints the summary as ``Result.to_json`` does: the same numbers, to the same
digits, as the page's ``summary``.
"""

from __future__ import annotations

import os

from excitable.experiments.base import Experiment


def cli_line(declared: Experiment, changed: dict, upload_name: str | None = None) -> str:
    """``excitable run NAME --set k=v ...`` (quoted where a value holds a space); an uploaded SWC
    file is named by its file name, as in the script (never the upload's id or a server path)."""
    if upload_name is not None and "swc" in changed:
        changed = dict(changed, swc=upload_name)
    line = declared.cli_line(changed)
    return line if all(" " not in str(v) for v in changed.values()) else \
        f"excitable run {declared.name} " + " ".join(
            f"--set '{k}={str(v).lower() if isinstance(v, bool) else v}'" for k, v in changed.items())


def python_script(declared: Experiment, changed: dict, upload_name: str | None = None) -> str:
    """A script that runs ``declared`` with ``changed`` and prints its summary (JSON); an uploaded
    SWC file is named by its file name (the learner saves it beside the script)."""
    args = []
    for k, v in changed.items():
        if k == "swc" and upload_name is not None:
            v = upload_name
        args.append(f"{k}={v!r}")
    call = f"experiments.run({declared.name!r}" + "".join(f", {a}" for a in args) + ")"
    lines = [f'"""{declared.question} (excitable lab: {declared.name})."""',
             "from excitable import experiments", ""]
    if upload_name is not None:
        lines.insert(2, f"# {upload_name}: the SWC file you uploaded, saved beside this script")
    lines += [f"result = {call}", "print(result.to_json())  # the summary, as on the page",
              "# result.figure().savefig('figure.png'); result.to_dataframe() holds the traces", ""]
    return "\n".join(lines)


def shown_by_name(result, path, name: str):
    """``result`` of a run on an uploaded SWC file written at ``path`` (the server's private temporary
    file), with every summary and meta value that is that path replaced by the file's ``name``: the
    page shows what the exported script prints beside the saved file, never a path of the server."""
    for record in (result.summary, result.meta):
        for k, v in list(record.items()):
            if isinstance(v, (str, os.PathLike)) and str(v) == str(path):
                record[k] = name
    return result
