"""The package's version, in a leaf module that imports nothing: any module can read it without
importing the package root (whose exports lead to ``api/app.py``, which reads it too).
``pyproject.toml`` reads it from here."""

__version__ = "0.1.0"
