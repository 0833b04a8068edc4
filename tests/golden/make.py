"""Store the golden traces: ``python -m tests.golden.make SWC_PATH [OUT]``.

Run once, from the code the traces are to pin down (its commit is stored in the file); never from
code under test. ``SWC_PATH`` is the Turner CA1 reconstruction (turner-ca1-n120.swc).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.golden.cases import CASES

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    swc = argv[0]
    out = Path(argv[1]) if len(argv) > 1 else HERE / "golden.npz"
    import excitable

    src = Path(excitable.__file__).resolve().parent
    commit = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    arrays = {"_commit": np.array(commit)}
    for name, case in CASES.items():
        result = case(swc) if name == "swc_tree" else case()
        for key, value in result.items():
            arrays[f"{name}/{key}"] = np.asarray(value, dtype=np.float64)
        print(name, {k: np.shape(v) for k, v in result.items()})
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} from {src} at {commit}")


if __name__ == "__main__":
    main(sys.argv[1:])
