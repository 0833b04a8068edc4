"""Channel families; the registry of names lives in excitable.physics.catalogue."""
