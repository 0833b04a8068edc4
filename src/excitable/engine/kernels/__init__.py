"""The fused GPU kernels: a run's whole time loop in one Pallas/Triton program.

- ``dispatch``: which kernel (if any) runs a plan, the layout for cables and trees, running it,
  and the fall-back to ``lax.scan`` when a kernel fails on the device.
- ``common``: what every kernel shares (coverage, the time loop, the initial rows, blocks and
  padding).
- ``single``: batches of single compartments, a block of cells per program.
- ``lanes``: batches of cables and trees, one lane per cell.
- ``nodes``: cables and trees, one program per cell, its nodes across the program's threads
  (their numbering: ``node_layout``).

The engine's front door (``engine.run``) is their only caller; nothing here is imported until a
run wants a kernel.
"""
