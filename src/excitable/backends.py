"""The one place that configures JAX: float64 on the CPU, and the persistent compilation cache.

Imported for its side effects by the physics and engine layers, before any array is made, so
physics functions called on their own (``ex.nernst(140., 5., 1, 37.)``) are float64 too.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax
import numpy as np

_configured = False


def default_cache_dir() -> Path:
    """Where compiled XLA programs are kept between processes (JAX_COMPILATION_CACHE_DIR wins)."""
    env = os.environ.get("JAX_COMPILATION_CACHE_DIR") or os.environ.get("EXCITABLE_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "excitable" / "jax"


def configure() -> None:
    """Enable float64 (agreement with NEURON to ~1e-6 mV needs it) and the compilation cache."""
    global _configured
    if _configured:
        return
    _configured = True
    if os.environ.get("EXCITABLE_X64", "1") != "0":
        jax.config.update("jax_enable_x64", True)
    cache = default_cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(cache))
        # Cache even quick compilations: a CLI run is dominated by them.
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    except (OSError, AttributeError):  # read-only home or an old JAX: run without the cache
        pass


configure()


def host_array(x, dtype=float, shape=None):
    """``x`` as a parameter leaf: a JAX array of ``dtype`` (and ``shape``, broadcasting), made
    without running any XLA program.

    ``jnp.asarray(x, dtype=...)`` and ``jnp.broadcast_to`` outside ``jit`` each dispatch (and in a
    new process compile) a small XLA program: building a model's parameters that way cost ~0.1 s.
    Here the conversion happens in NumPy and the result is only copied to the device. A JAX array
    or tracer (under ``jit``/``grad``) is converted with ``jnp`` as usual.
    """
    if isinstance(x, jax.Array):
        import jax.numpy as jnp

        x = jnp.asarray(x, dtype=dtype)
        return x if shape is None else jnp.broadcast_to(x, shape)
    x = np.asarray(x, dtype=dtype)
    return jax.device_put(x if shape is None else np.broadcast_to(x, shape))
