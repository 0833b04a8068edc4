"""Compiled programs kept on disk, so a new process starts a run without tracing or lowering it.

JAX's persistent compilation cache skips XLA's compiler in a new process, but every process still
traces the Python step function and lowers it to MLIR to compute the cache key: for a
1000-compartment axon that is ~0.1 s before a 35-ms run. Here the *executable itself* is stored
under a key computed without tracing: the engine's source, the JAX/XLA versions, the machine, and
the plan's structure with the arguments' shapes and dtypes. A later process loads it
(``jax.experimental.serialize_executable``) and runs it straight away.

Safety of the key: it must change whenever the traced program could. It does for everything the
engine traces -- our own code (every source file of the package is hashed), the plan, the
parameter pytree's structure, shapes and dtypes, the step size and method -- so only runs whose
mechanisms are all classes of this package use the store; a run with a user-defined channel
(whose code we do not hash) takes the ordinary ``jax.jit`` path, which JAX's own cache still serves.

Safety of the files: a stored program is machine code, and JAX's serialized form is a pickle, so
loading a file is running it. Whoever could put a file in the store could run anything as the
user, and a damaged or misplaced file would crash the run ("Illegal instruction") or silently give
another program's numbers. Hence (details in ``engine.program_files``):

- the store directory must be the user's own and writable by no one else (created 0700; otherwise
  one warning line and the run goes on without the store, through plain ``jit``); files are 0600;
- each file carries its full key and an HMAC-SHA256 made with a per-user secret (32 random bytes
  in ``$XDG_CONFIG_HOME/excitable/program-key``, default ``~/.config``; 0600, kept apart from the
  cache so that a copied or shared cache carries no key). Nothing of a file is parsed before its
  HMAC, then its key, are verified; JAX's pickle is then scanned, without running it, for names
  outside JAX's own data classes. The input pytree is the call's own; the output pytree is plain
  JSON (a program whose outputs are other than tuples, lists, str-keyed dicts and None is not
  stored);
- a file that fails any check, or fails to load or to run, is deleted and the program compiled
  and stored again. When a check fails, nothing from the file has run.

Stored executables are compiled by XLA itself, never taken from JAX's persistent cache: one that
JAX loaded from its cache serializes without its kernels and fails when run ("Function ... not
found"). A new executable is stored only after it has run once from its serialized form.

``EXCITABLE_PROGRAM_CACHE=0`` turns the store off. Files live next to JAX's cache directory
(``<cache>-programs``); deleting them (or the key) is always safe. The store keeps the most
recently used programs within ``EXCITABLE_PROGRAM_CACHE_MB`` (default 1024 MB).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jax

from excitable.backends import default_cache_dir, private_directory
from excitable.engine import program_files as files

_SUFFIX = ".xla"
_TRACER = getattr(jax.core, "Tracer", ())  # values inside jit/grad/vmap: the jitted path


def enabled() -> bool:
    return os.environ.get("EXCITABLE_PROGRAM_CACHE", "1").lower() not in ("0", "off", "no", "false")


def directory() -> Path:
    jax_dir = default_cache_dir()
    return jax_dir.with_name(jax_dir.name + "-programs")


def key_path() -> Path:
    """The per-user secret that signs stored programs (apart from the cache: see the module doc)."""
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "excitable" / "program-key"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What every stored program depends on besides its own plan: our source code, the libraries,
    the device and the host CPU (XLA's CPU code uses its instruction set), and XLA's options."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode())
        h.update(path.read_bytes())
    import jaxlib
    import numpy

    dev = jax.devices()[0]
    h.update(repr((sys.version, jax.__version__, jaxlib.__version__, numpy.__version__, dev.platform,
                   dev.device_kind, dev.client.platform_version, _host_cpu(),
                   bool(jax.config.jax_enable_x64),
                   sorted((k, v) for k, v in os.environ.items() if k.startswith(("XLA_", "JAX_"))
                          and k != "JAX_COMPILATION_CACHE_DIR"
                          and not k.startswith("XLA_PYTHON_CLIENT_")))).encode())  # allocator only
    return h.hexdigest()


def _host_cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            lines = [ln for ln in f.read().splitlines() if ln.startswith(("model name", "flags"))]
        return "\n".join(lines[:2])
    except OSError:
        import platform

        return platform.processor() + platform.machine()


def _own_types(treedef) -> bool:
    """True if every node of the pytree is a builtin container or a class of this package that its
    module defines under its name. The key names a node by ``str(treedef)``, which is the class's
    name alone: a class made at run time under the name of one of ours (``type(cls.__name__,
    (cls,), ...)``, as NeuroML's ``fixed_erev`` makes) would be served the program of the other."""
    node_type = treedef.node_data()[0] if treedef.node_data() else None
    if node_type is not None and node_type.__module__ != "builtins" and not _defined_in_source(node_type):
        return False
    return all(_own_types(child) for child in treedef.children())


def _defined_in_source(cls) -> bool:
    """Whether ``cls`` is the class this package's source defines at ``module.qualname``."""
    module = sys.modules.get(cls.__module__)
    if module is None or not cls.__module__.startswith("excitable."):
        return False
    found = module
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is cls


class StoredProgram:
    """A drop-in for a jitted function of concrete arguments: the first call with a given argument
    signature loads the executable from disk (or compiles and stores it); later calls reuse it.

    Falls back to the jitted function for tracers (inside ``jit``/``grad``/``vmap``), for pytrees
    holding classes from outside this package, and when the store cannot be used at all.
    """

    def __init__(self, jitted: Callable, key: tuple):
        self.jitted = jitted
        self.key = key
        self._loaded: dict[str, Any] = {}

    def __call__(self, *args):
        if not enabled():
            return self.jitted(*args)
        leaves, treedef = jax.tree.flatten(args)
        if any(isinstance(x, _TRACER) for x in leaves) or not _own_types(treedef):
            return self.jitted(*args)
        signature = repr((self.key, str(treedef), tuple(str(jax.typeof(x)) for x in leaves),
                          sorted(compile_options(args).items()))).encode()
        digest = hashlib.sha256(fingerprint().encode() + signature).hexdigest()[:32]
        program = self._loaded.get(digest)
        if program is not None:
            return program(*args)
        return self._first_call(digest, hashlib.sha256(signature).hexdigest(), args)

    def _first_call(self, digest: str, signature: str, args):
        """Run from the stored executable, or compile, run, and store it once it has run."""
        folder = directory()
        secret = files.secret(key_path()) if private_directory(folder, "the program cache") else None
        if secret is None:  # no store we can trust: plain jit (JAX's own cache still helps)
            self._loaded[digest] = self.jitted
            return self.jitted(*args)
        path = folder / (digest + _SUFFIX)
        key = {"digest": digest, "fingerprint": fingerprint(), "signature": signature}
        in_tree = jax.tree.structure((args, {}))  # what serialize() gives: (args, kwargs)
        try:
            program = files.deserialize(*files.verified(files.read(path), secret, key), in_tree)
            out = jax.block_until_ready(program(*args))  # errors of the run surface here
        except FileNotFoundError:
            pass
        except Exception:  # forged, damaged, misplaced, foreign or kernel-less: compile and replace
            path.unlink(missing_ok=True)
        else:
            _touch(path)  # recently used: kept when the store is trimmed
            self._loaded[digest] = program
            return out
        try:
            payload, compiled_in_tree, out_tree, compiled = _compile_fresh(self.jitted.lower(*args),
                                                                           compile_options(args))
        except Exception:  # e.g. a JAX without these APIs: plain jit (JAX's own cache still helps)
            self._loaded[digest] = self.jitted
            return self.jitted(*args)
        try:
            # Trust the payload only once it has run, loaded as a later process will load it: an
            # executable that JAX took from its own cache serializes without its kernels and fails
            # here ("Function ... not found"); an output pytree JSON cannot describe fails here too.
            if compiled_in_tree != in_tree:
                raise files.Unstorable(str(compiled_in_tree))
            blob = files.sealed(payload, files.tree_to_json(out_tree), secret, key)
            program = files.deserialize(*files.verified(blob, secret, key), in_tree)
            out = jax.block_until_ready(program(*args))
        except Exception:
            self._loaded[digest] = compiled
            return compiled(*args)
        try:
            _write_atomically(path, blob)
            _trim(path.parent)
        except OSError:  # a read-only cache: run without storing
            pass
        self._loaded[digest] = program
        return out


def _compile_fresh(lowered, options=None):
    """Compile ``lowered`` in XLA itself (not from JAX's cache); return (payload, in_tree, out_tree,
    executable). ``options``: XLA's compile options (default ``compile_options()``).

    JAX's cache is keyed on the compile options too: restating one of XLA's defaults gives a key
    that no plain ``jit`` call uses, and raising the minimum compile time keeps JAX from writing
    this executable to its cache, so its cache never answers for these keys.
    """
    from jax._src import config
    from jax.experimental import serialize_executable

    with config.persistent_cache_min_compile_time_secs(1e9):
        compiled = lowered.compile(compiler_options=compile_options() if options is None else options)
    return (*serialize_executable.serialize(compiled), compiled)


#: One of XLA's defaults, restated (see ``_compile_fresh``).
_FRESH_OPTIONS = {"xla_embed_ir_in_executable": False}
#: On a CPU, XLA's older elemental emitters instead of its MLIR fusion emitters, which compile each
#: fusion of the time step as its own module (~50 ms of CPU each, 20-40 per step function). Measured
#: on the tour's 41 stored programs, each compiled both ways in one process (BENCHMARKS.md, "The
#: tour"): compiling takes about 35 % less CPU (action-potential 1.61 -> 0.66 s, synaptic-transmission
#: 3.92 -> 2.87 s, receptor-types 5.15 -> 2.52 s) while a run may cost up to 2x (epilepsy's network:
#: 0.94 -> 2.14 s a run). Hence only for programs of at most ``FAST_COMPILE_MAX_WORK``
#: (``work``): short runs, where the compile is most of the cost. ``EXCITABLE_FAST_COMPILE=0``
#: compiles every program with XLA's defaults (to measure both ways).
CPU_FAST_COMPILE = {"xla_cpu_use_fusion_emitters": False}
#: Steps x the largest parameter array (about compartments x batch) of a run, above which a program
#: is compiled with XLA's defaults: the tour's largest fast one is graded-potential's cable (6e6),
#: epilepsy's 250-cell network is 1.6e8.
FAST_COMPILE_MAX_WORK = 1e7


def fast_compile() -> bool:
    return os.environ.get("EXCITABLE_FAST_COMPILE", "1").lower() not in ("0", "off", "no", "false")


def work(args) -> float:
    """About the work of one run of a time loop ``(params, drive[, init])``: the steps (the drive
    waveforms' first axis) x the largest parameter array (compartments, x the batch); infinite
    for arguments of another form."""
    import numpy as np

    if not isinstance(args, tuple) or len(args) < 2 or not isinstance(args[1], dict):
        return float("inf")
    steps = max((np.shape(x)[0] for x in jax.tree.leaves(args[1]) if np.ndim(x) >= 1), default=1)
    size = max((np.size(x) for x in jax.tree.leaves(args[0])), default=1)
    return float(steps) * float(size)


def compile_options(args=None) -> dict:
    """XLA options of a stored program: ``_FRESH_OPTIONS``, and on a CPU ``CPU_FAST_COMPILE`` for
    runs of at most ``FAST_COMPILE_MAX_WORK`` (unless ``EXCITABLE_FAST_COMPILE=0``); ``args``:
    the program's arguments (None: a short run)."""
    cpu = jax.default_backend() == "cpu"
    short = args is None or work(args) <= FAST_COMPILE_MAX_WORK
    return {**_FRESH_OPTIONS, **(CPU_FAST_COMPILE if cpu and short and fast_compile() else {})}


def _write_atomically(path: Path, blob: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=_SUFFIX)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def max_bytes() -> int:
    """Size the store is trimmed to (``EXCITABLE_PROGRAM_CACHE_MB``, default 1024 MB)."""
    try:
        return int(float(os.environ.get("EXCITABLE_PROGRAM_CACHE_MB", "1024")) * 2**20)
    except ValueError:
        return 2**30


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _trim(folder: Path) -> None:
    """Delete the least recently used programs while the store is over ``max_bytes()`` (down to
    80 % of it, so trimming is rare). A deleted program is compiled again when next needed."""
    entries = []
    for e in os.scandir(folder):
        if e.name.endswith(_SUFFIX) and not e.name.startswith("."):
            st = e.stat()
            entries.append((st.st_mtime, st.st_size, e.path))
    total, limit = sum(size for _, size, _ in entries), max_bytes()
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        if total <= 0.8 * limit:
            break
        try:
            os.unlink(path)
            total -= size
        except OSError:
            pass

