"""The files of the program store (``engine.programs``): sealed with a per-user key, verified
before anything in them is used, and JAX's payload scanned before JAX unpickles it.

A file is ``MAGIC | header length (4 bytes, big-endian) | header | payload | HMAC-SHA256``. The
header is JSON: the format version, the program's full key (``digest``: the name it is stored
under; ``fingerprint``: code, libraries and machine; ``signature``: SHA-256 of the run's plan,
step, shapes and dtypes) and the output pytree in plain JSON. The HMAC covers everything before it.
The key is 32 random bytes, 0600, kept outside the cache (``programs.key_path``): a cache that is
copied, shared or restored elsewhere carries no key, so no one who can write a cache can sign for it.
"""

from __future__ import annotations

import hmac
import io
import json
import os
import pickle
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

import jax

from excitable.backends import private_directory, warn_once

MAGIC = b"EXCPROG\n"
FORMAT = 1
_TAG = 32  # bytes of HMAC-SHA256

# --- the per-user secret ---------------------------------------------------------------------------

_SECRETS: dict[Path, bytes | None] = {}


def secret(path: Path) -> bytes | None:
    """The 32-byte HMAC key of this user, created on first use; None (after one warning line) when
    the key file cannot be trusted: a link, not this user's, or readable/writable by others."""
    if path not in _SECRETS:
        _SECRETS[path] = _load_secret(path) if private_directory(path.parent, "the program key's folder") \
            else None
    return _SECRETS[path]


def _load_secret(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return _create_secret(path)
    except OSError as e:  # a symlink (ELOOP) or unreadable
        warn_once(f"not using the program key {path}: {e.strerror}; running without the program cache")
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())  # of the file opened, not of whatever the name points to later
        problem = None
        if not stat.S_ISREG(st.st_mode):
            problem = "it is not a regular file"
        elif st.st_uid != os.getuid():
            problem = f"it belongs to uid {st.st_uid}, not to this user (uid {os.getuid()})"
        elif st.st_mode & 0o077:
            problem = f"others can read or write it (mode {stat.S_IMODE(st.st_mode):o})"
        elif st.st_size != 32:
            problem = f"it holds {st.st_size} bytes, not 32"
        if problem is None:
            return f.read(33)
    warn_once(f"not using the program key {path}: {problem}; running without the program cache")
    return None


def _create_secret(path: Path) -> bytes | None:
    """Write 32 random bytes to a private temporary file and link it to ``path``: the key appears
    whole or not at all, and a key another process made first wins (``link`` never replaces)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")  # O_EXCL, mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    except OSError:  # a read-only config folder: run without the store
        return None
    return _load_secret(path)


# --- the file format -------------------------------------------------------------------------------

def sealed(payload: bytes, out_tree: Any, secret: bytes, key: dict) -> bytes:
    """The file for ``payload``: header (format, ``key``, ``out_tree`` as from ``tree_to_json``) and HMAC."""
    header = json.dumps({"format": FORMAT, **key, "out_tree": out_tree, "payload_bytes": len(payload)},
                        sort_keys=True).encode()
    body = MAGIC + len(header).to_bytes(4, "big") + header + payload
    return body + hmac.digest(secret, body, "sha256")


def verified(blob: bytes, secret: bytes, key: dict):
    """(payload, out_tree) of a stored file, after its HMAC and then its key are checked."""
    view, start = memoryview(blob), len(MAGIC) + 4
    if len(blob) < start + _TAG or \
            not hmac.compare_digest(view[-_TAG:], hmac.digest(secret, view[:-_TAG], "sha256")):
        raise ValueError("not signed with this user's key")
    if not blob.startswith(MAGIC):
        raise ValueError("not a stored program")
    end = start + int.from_bytes(view[len(MAGIC):start], "big")
    header, payload = json.loads(view[start:end].tobytes()), view[end:-_TAG].tobytes()
    if header.get("format") != FORMAT or any(header.get(k) != v for k, v in key.items()) \
            or header.get("payload_bytes") != len(payload):
        raise ValueError("another program's file")
    return payload, jax.tree.structure(_tree_from_json(header["out_tree"]))


def read(path: Path) -> bytes:
    """The file's bytes; a symlink is refused (ELOOP), though only this user can make one here."""
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
        return f.read()


class Unstorable(TypeError):
    """An output pytree with a node that plain JSON cannot describe."""


_LEAF = object()


def tree_to_json(treedef) -> Any:
    """``treedef`` (builtin containers only) as plain JSON: a leaf is 0, None is null."""
    def encode(x):
        if x is _LEAF:
            return 0
        if x is None:
            return None
        if type(x) in (tuple, list):
            return {type(x).__name__: [encode(c) for c in x]}
        if type(x) is dict and all(type(k) is str for k in x):
            return {"dict": {k: encode(v) for k, v in x.items()}}
        raise Unstorable(type(x).__name__)

    encoded = encode(jax.tree.unflatten(treedef, [_LEAF] * treedef.num_leaves))
    if jax.tree.structure(_tree_from_json(encoded)) != treedef:
        raise Unstorable(str(treedef))
    return encoded


def _tree_from_json(j) -> Any:
    """The inverse of ``tree_to_json``, with 0 as every leaf; nothing but builtin containers."""
    if j is None or (type(j) is int and j == 0):
        return j
    if type(j) is dict and len(j) == 1:
        (kind, v), = j.items()
        if kind in ("tuple", "list") and type(v) is list:
            return (tuple if kind == "tuple" else list)(_tree_from_json(c) for c in v)
        if kind == "dict" and type(v) is dict:
            return {k: _tree_from_json(c) for k, c in v.items()}
    raise ValueError("not an output pytree")


# --- JAX's serialized executable -------------------------------------------------------------------

#: The globals JAX's pickle of a single-device executable names: plain data (avals, shardings,
#: layouts, dtypes). A payload naming anything else is refused before JAX unpickles it.
_ALLOWED = frozenset({
    ("jax", "P"), ("jax._src.partition_spec", "PartitionSpec"),
    ("jax._src.partition_spec", "_get_default_unconstrained"),
    ("jax._src.core", "ManualAxisType"), ("jax._src.core", "MemorySpace"), ("jax._src.core", "ShapedArray"),
    ("jax._src.interpreters.pxla", "AllArgsInfo"), ("jax._src.interpreters.pxla", "UnloadedMeshExecutable"),
    ("jax._src.layout", "Layout"), ("jax._src.linear_util", "DebugInfo"), ("jax._src.mesh", "AbstractMesh"),
    ("jax._src.named_sharding", "_unpickle_named_sharding"),
    ("jax._src.sharding_impls", "_unpickle_single_device_sharding"),
    ("jax._src.sharding_impls", "_unpickle_gspmd_sharding"),
    ("jax._src.stages", "ArgInfo"), ("jaxlib._jax", "DeviceList"), ("numpy", "dtype"),
})


class _Stub:
    """Stands for every object while a payload is scanned: accepts any construction or state."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def append(self, x):
        pass

    def extend(self, xs):
        pass

    def add(self, x):
        pass

    def __setitem__(self, key, value):
        pass


class _Scanner(pickle.Unpickler):
    """Walks a pickle without calling anything it names (every class or function is a ``_Stub``),
    refusing a global outside ``_ALLOWED``. Its opcodes alone make only builtin values."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a stored program")
        return _Stub

    def persistent_load(self, pid):
        return None


def deserialize(payload: bytes, out_tree, in_tree):
    """JAX's executable from a verified payload; ``in_tree`` is the call's own, never read from disk.

    ``serialize_executable``'s format is a pickle holding XLA's machine code. The HMAC already
    vouches for it; the scan is a second wall against a pickle that names anything but JAX's data.
    """
    from jax.experimental import serialize_executable

    _Scanner(io.BytesIO(payload)).load()
    return serialize_executable.deserialize_and_load(payload, in_tree, out_tree)
