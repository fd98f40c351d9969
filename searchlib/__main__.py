"""``python -m searchlib``: the command line."""

from .cli import main

main(prog_name="searchlib")
