"""The `excitable` command (``python -m excitable.interfaces.cli``); everything is in ``main``."""

if __name__ == "__main__":
    from excitable.interfaces.cli.main import entry

    entry()
