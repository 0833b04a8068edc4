"""``python -m excitable.interfaces.cli.server --fingerprint FP [--warm JSON]``: the server process.

Started by ``client.start_in_background``; everything it does is in ``daemon`` (imported by name, so
the server's state lives in that module, not in ``__main__``).
"""

import sys

from excitable.interfaces.cli.server.daemon import main

sys.exit(main(sys.argv[1:]))
