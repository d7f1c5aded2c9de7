"""The `silkgate` command line: a thin Typer shell over the packages."""

import os
import sys

from silkgate.cli._app import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, app, exit_code_for
from silkgate.cli._app import main as _main


def _reserve_stdout_for_silkgate() -> None:
    """Send native libraries' writes to fd 1 (spu's C++ logs) to stderr.

    `--json` output must be exactly one JSON document on stdout, so Python's stdout keeps
    the original descriptor and file descriptor 1 itself is pointed at stderr.
    """
    try:
        original = os.dup(1)
    except OSError:  # no stdout at all
        return
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = open(original, "w", encoding="utf-8", buffering=1)  # noqa: SIM115


def main() -> None:
    """Console-script entry point."""
    _reserve_stdout_for_silkgate()
    sys.exit(_main())


__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILURE", "EXIT_OK", "app", "exit_code_for", "main", "run"]

run = _main
