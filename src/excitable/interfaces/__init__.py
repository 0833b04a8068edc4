"""Interfaces: the command line (`cli/`), the tour's HTML page (`tour/`) and, later, the web lab."""
