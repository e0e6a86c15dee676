"""`python -m fitdoc ...`: the `fitdoc` command."""

from fitdoc.cli import app

app(prog_name="fitdoc")
