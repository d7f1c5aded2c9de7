"""`python -m silkgate` runs the command line."""

from silkgate.cli import main

main()
