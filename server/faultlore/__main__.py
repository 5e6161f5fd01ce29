"""Run the command-line interface: ``python -m faultlore``."""

from faultlore.cli import main

main()
