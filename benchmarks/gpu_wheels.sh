#!/bin/sh
# Here (a machine with PyPI), before a session's first call to a lent GPU machine: the wheels the
# GPU checks need that the GPU machines' image lacks (it has JAX, numpy, pandas, matplotlib, optax,
# pytest, hypothesis, sympy; nothing can be fetched there). NEURON's wheel carries the NMODL parser
# (excitable.load_mod) and the reference side of the benchmarks; Jaxley is the GPU comparison.
# Python 3.12 x86-64, as the image's python3. Into .whl/ (ignored by git, about 19 MB: the device
# tool carries at most 64 MiB). Then: benchmarks/gpu_session.sh, run there with carry [".whl"].
set -eu
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
PYTHON=${PYTHON:-.venv/bin/python}
$PYTHON -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl \
    neuron==9.0.2 find-libpython jaxley==0.14.0 tridiax
ls -l .whl
