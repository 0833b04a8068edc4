"""Physics: ions, channels, receptors, pumps. Pure jax.numpy, no morphology, no time loop."""
