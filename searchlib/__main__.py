"""``python -m searchlib``: the command line."""

from .cli import run

run(prog_name="searchlib")
