"""The `silkgate` command line: a thin Typer shell over the packages."""

import sys

from silkgate.cli._app import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, app, exit_code_for
from silkgate.cli._app import main as _main


def main() -> None:
    """Console-script entry point."""
    sys.exit(_main())


__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILURE", "EXIT_OK", "app", "exit_code_for", "main", "run"]

run = _main
