"""The ``pasarela`` command line (typer + rich)."""
