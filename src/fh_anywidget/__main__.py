"""`python -m fh_anywidget preview FILE.py:Name`: the same as the `fh-anywidget` command."""

from .cli import main

main()
