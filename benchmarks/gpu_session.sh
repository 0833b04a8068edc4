#!/bin/sh
# The GPU checks, as one call of the device tool (prepared here: benchmarks/gpu_wheels.sh first):
#   run(command="sh benchmarks/gpu_session.sh", carry=[".whl"], timeout_s=590)
# What comes back (files under $OUT): the device and JAX, the fused kernels' tests on the GPU
# (tests/engine/kernels: each compiled kernel against the scan path, imported NMODL solvers
# included), then bench_scale --full (the sizes, ours beside NEURON and Jaxley). Each step
# has its own time limit so that a slow one leaves the rest their turn; every log is kept.
# GPU_SESSION_DRY=1: the same steps on this machine's CPU, shortened (checks the script itself).
set -u
OUT=${OUT:-/tmp/gpu_session}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
if [ -d .whl ] && [ "${GPU_SESSION_DRY:-0}" != 1 ]; then
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD/src:$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export JAX_COMPILATION_CACHE_DIR=/tmp/jax_cache
if [ "${GPU_SESSION_DRY:-0}" = 1 ]; then
    TESTS="-k lowers" BENCH="--quick --only single" LIMIT_TESTS=300 LIMIT_BENCH=300
else
    TESTS="" BENCH="--full" LIMIT_TESTS=300 LIMIT_BENCH=270
    nvidia-smi > "$OUT/device.txt" 2>&1
fi
$PY -c "import jax, sys; print(sys.version.split()[0], 'jax', jax.__version__, jax.devices())" >> "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"
# -p no:cacheprovider: the tree is a copy; -x would hide the kernels after a first failure.
timeout "$LIMIT_TESTS" $PY -m pytest -q -p no:cacheprovider -n 0 tests/engine/kernels $TESTS \
    > "$OUT/kernel_tests.log" 2>&1
echo "kernel tests: exit $?"; tail -15 "$OUT/kernel_tests.log"
timeout "$LIMIT_BENCH" $PY benchmarks/bench_scale.py $BENCH > "$OUT/bench_scale.log" 2>&1
echo "bench_scale: exit $?"; tail -40 "$OUT/bench_scale.log"
