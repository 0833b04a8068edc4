"""The `excitable` command (``python -m excitable.interfaces.cli``; console script ``main.entry``).

One module per subcommand, each an ``add_parser(sub)`` and a ``run(args)``: ``listing`` (list),
``run``, ``tour``, ``sweep``, ``server_command`` (server start|stop|status). ``main`` assembles the
parser, dispatches and is the entry point; ``arguments`` holds what they share (one-line errors,
``--set``, ``--out``); ``server/`` is the warm server (protocol, client, daemon).
"""
