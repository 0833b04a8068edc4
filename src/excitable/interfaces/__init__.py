"""Interfaces: the command line (and, later, the web lab)."""
