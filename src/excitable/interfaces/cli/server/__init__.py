"""The warm server: fast repeated ``excitable run`` by keeping JAX and the compiled programs in memory.

A new process that imports JAX pays ~0.5 s before it does anything, and a fresh process traces and
loads each compiled program again; a repeated ``excitable run action-potential`` in a process that
already ran it takes ~10 ms. So, as Gradle's daemon or mypy's dmypy, but without being asked:

1. ``excitable run ...`` first asks a server on a private Unix socket. If one answers, the command
   runs there, through the same ``main(argv)`` as in-process, in the client's working directory, and
   its stdout, stderr and exit status come back as they happen (the progress bar shows when the
   client's stderr is a terminal). The client imports no JAX or NumPy.
2. If none answers, the command runs in-process as always; afterwards (unless it was refused as a
   user error, exit status 2) a server is started in the background (detached, output to a log file
   next to its socket), which imports everything and runs the same command once to compile it. It
   leaves after ``EXCITABLE_SERVER_IDLE`` seconds (default 600) without work, or when excitable's
   sources change.
3. The server does one run at a time; a run that arrives while it works, or anything that goes
   wrong with it, runs in-process. The server never makes a command fail.

Switches::

    EXCITABLE_SERVER=0            never use or start a server (also off, no, false)
    EXCITABLE_SERVER_IDLE=600     seconds a server waits for work before it exits
    excitable server status       running for this fingerprint? pid, state, idle timeout
    excitable server start|stop   start one now (and wait until it is ready) / ask it to exit

The modules, imported in one direction (``client`` and ``daemon`` never import each other):

- ``protocol``: what both sides agree on: the fingerprint that names a server, the private directory
  and the paths of its socket, lock and log, and the frames and messages on the socket;
- ``jobenv``: the client's umask and the environment variables a job takes from it;
- ``client``: the command's side (standard library only): send a run, print what comes back, start
  a server in the background; the ``excitable server`` subcommand is ``cli/server_command.py``;
- ``daemon`` (with ``job``): the server process, ``python -m excitable.interfaces.cli.server``.
"""
