"""The one place that configures JAX: float64 on the CPU, and the persistent compilation cache.

Imported for its side effects by the physics and engine layers, before any array is made, so
physics functions called on their own (``ex.nernst(140., 5., 1, 37.)``) are float64 too.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import sys
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


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """``excitable: warning: MESSAGE`` on stderr, once per process for each message."""
    if message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"excitable: warning: {message}\n")


def private_directory(path: Path, what: str) -> bool:
    """Create ``path`` (mode 0700) if missing; True if it is a directory of this user that no one
    else can write to, so what this process loads from it was written by this user.

    Compiled programs are machine code: whoever can write a cache directory can make the next run
    execute anything as this user. A directory that belongs to someone else or is group/other-
    writable (directly or through a symlink), or that sits in a directory another user controls
    (owned by someone other than this user or root, or other-writable without the sticky bit, so
    that our entry could be swapped), is refused with one warning line; the caller then runs
    without it. A directory that cannot be created (a read-only home) is skipped quietly, as
    before. Without POSIX owners (``os.getuid`` missing) nothing can be checked: refused quietly.
    """
    if not hasattr(os, "getuid"):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        link, st, parent = os.lstat(path), os.stat(path), os.stat(path.parent)
    except OSError:
        return False
    uid = os.getuid()
    if not stat.S_ISDIR(st.st_mode):
        problem = "it is not a directory"
    elif st.st_uid != uid or link.st_uid != uid:
        problem = f"it belongs to uid {st.st_uid if st.st_uid != uid else link.st_uid}, not to this user (uid {uid})"
    elif st.st_mode & 0o022:
        problem = f"others can write to it (mode {stat.S_IMODE(st.st_mode):o})"
    elif parent.st_uid not in (uid, 0):
        problem = f"its parent directory belongs to uid {parent.st_uid}, who could swap it"
    elif parent.st_mode & 0o002 and not parent.st_mode & stat.S_ISVTX:
        problem = f"others can replace it (its parent directory has mode {stat.S_IMODE(parent.st_mode):o})"
    else:
        return True
    warn_once(f"not using {what} {path}: {problem}; running without it")
    return False


def configure() -> None:
    """Enable float64 (agreement with NEURON to ~1e-6 mV needs it) and the compilation cache."""
    global _configured
    if _configured:
        return
    _configured = True
    if os.environ.get("EXCITABLE_X64", "1") != "0":
        jax.config.update("jax_enable_x64", True)
    cache = default_cache_dir()
    if not private_directory(cache, "the compilation cache"):
        # JAX reads JAX_COMPILATION_CACHE_DIR itself: switch its cache off, not just leave it unset.
        try:
            jax.config.update("jax_compilation_cache_dir", None)
            jax.config.update("jax_enable_compilation_cache", False)
        except AttributeError:
            pass
        return
    try:
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


#: True while a fused kernel's body is traced (engine/kernels wrap their ``pallas_call`` in
#: ``kernel_body``). Code that would branch with ``lax.cond`` selects instead there: the kernels
#: vmap the step over their cells, where a cond becomes a select on an int32 index, which Pallas'
#: Triton lowering emits as an invalid ``arith.select`` (checked with JAX 0.10: Triton's verifier
#: refuses it). Under vmap both branches run either way, so only the form changes, not the work.
_KERNEL_BODY = contextvars.ContextVar("excitable_kernel_body", default=False)


@contextlib.contextmanager
def kernel_body():
    """While a fused kernel's body is traced: ``branch_free()`` is true."""
    token = _KERNEL_BODY.set(True)
    try:
        yield
    finally:
        _KERNEL_BODY.reset(token)


def branch_free() -> bool:
    """Whether the code now traced is a fused kernel's body (``kernel_body``)."""
    return _KERNEL_BODY.get()
