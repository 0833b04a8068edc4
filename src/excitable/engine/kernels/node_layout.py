"""Where each node of a cell sits in ``kernels.nodes``' vectors: the numbering by height and its tables.

Nodes are renumbered by height (leaves 0, a parent one more than its highest child), so each level
of the tree is a contiguous run of positions, and the tree solve can go one level at a time (up
the heights to eliminate, down to substitute). An unbranched cable keeps its own order instead,
for parallel cyclic reduction: neighbours in the cable are neighbours in the vector. The vectors
have P positions, the node count plus one rounded up to a power of two (Triton's tensors must be);
the tables (each position's parent and children, each level's start and size) are numpy data
that the kernel reads, so the kernel's code does not grow with the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from excitable.engine.hines import is_chain


@dataclass(frozen=True, eq=False)
class NodeLayout:
    """Where each node of a tree sits in the kernel's vectors, and the level tables (numpy).

    Attributes:
        order: (n,) the node at each position (heights ascending, then node index).
        position: (n,) the position of each node (the inverse of ``order``).
        size: P, the vectors' length: n + 1 rounded up to a power of two (positions n .. P - 1
            are padding: no coupling, unit diagonal, dV = 0; the last one is where the idle lanes
            of a level point).
        start, count: (H + 1,) the first position and the number of nodes of each level.
        width: the widest level, rounded up to a power of two (the vector length of a level pass).
        parent: (P,) the parent's position (itself at roots and padding).
        children: (K, P) the positions of each node's children, -1 where it has fewer than K.
        solver: "levels" (the level passes above) or "pcr" (parallel cyclic reduction, for
            unbranched cables numbered along their length: positions are the node indices, so
            neighbours in the cable are neighbours in the vector; ``start``/``count`` unused).
    """

    order: np.ndarray
    position: np.ndarray
    size: int
    start: np.ndarray
    count: np.ndarray
    width: int
    parent: np.ndarray
    children: np.ndarray
    solver: str = "levels"

    @property
    def height(self) -> int:
        """The number of levels (the tree's height in nodes, plus one)."""
        return len(self.start)


def node_layout(parent: np.ndarray, solver: str = "auto") -> NodeLayout:
    """The layout for a tree or forest (``parent[i] < i``, -1 at roots).

    solver: "levels", "pcr" (unbranched cables only) or "auto": "pcr" for unbranched cables
    (log2 P passes instead of one per node: a chain of N nodes has N levels), "levels" otherwise.
    """
    parent = np.asarray(parent, np.int64)
    chain = is_chain(parent)
    if solver == "auto":
        solver = "pcr" if chain else "levels"
    if solver not in ("levels", "pcr"):
        raise ValueError(f"solver must be 'auto', 'levels' or 'pcr', got {solver!r}")
    if solver == "pcr" and not chain:
        raise ValueError("solver 'pcr' takes unbranched cables only (parent[i] = i - 1 or -1)")
    return _node_layout(parent.tobytes(), solver)


@lru_cache(maxsize=64)
def _node_layout(parent_bytes: bytes, solver: str) -> NodeLayout:
    parent = np.frombuffer(parent_bytes, dtype=np.int64)
    n = len(parent)
    height = np.zeros(n, np.int64)
    for i in range(n - 1, 0, -1):  # children have higher indices: a node's height is final here
        if parent[i] >= 0:
            height[parent[i]] = max(height[parent[i]], height[i] + 1)
    # Cyclic reduction needs each cable's nodes side by side, in cable order: the node order.
    order = np.arange(n) if solver == "pcr" else np.lexsort((np.arange(n), height))
    position = np.empty(n, np.int64)
    position[order] = np.arange(n)
    count = np.bincount(height)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    size = _pow2(n + 1)
    up = np.arange(size)
    has_parent = parent >= 0
    up[position[has_parent]] = position[parent[has_parent]]
    k = max(1, int(np.bincount(parent[has_parent], minlength=n).max(initial=0)))
    children = np.full((k, size), -1, np.int64)
    filled = np.zeros(size, np.int64)
    for i in np.nonzero(has_parent)[0]:
        p = position[parent[i]]
        children[filled[p], p] = position[i]
        filled[p] += 1
    return NodeLayout(order=order, position=position, size=size, start=start.astype(np.int32),
                      count=count.astype(np.int32), width=_pow2(int(count.max())),
                      parent=up.astype(np.int32), children=children.astype(np.int32), solver=solver)


def _pow2(n: int) -> int:
    return 1 << max(0, int(n) - 1).bit_length()


#: The largest P one program takes. At P = 2048 (32 warps, the most a thread block has) the
#: assembler already spills 328 bytes a thread (the 1176-node De Schutter cell in float64,
#: benchmarks/gpu_build.py's method); larger cells go to the lane layout.
MAX_SIZE = 2048


def num_warps(size: int) -> int:
    """Warps per program: two numbers of each (P,) vector per thread (fewer spill registers),
    4 to 32 warps (128-1024 threads). For the De Schutter cell (P = 2048) 32 warps against 16:
    64 registers and 328 spilled bytes a thread against 128 and 416, Triton compile 0.7 s
    against 1.4 s."""
    return int(np.clip(size // 64, 4, 32))
