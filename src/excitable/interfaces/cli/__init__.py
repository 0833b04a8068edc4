"""The `excitable` command (``python -m excitable.interfaces.cli``)."""
