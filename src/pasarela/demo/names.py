"""The names every part of ``pasarela demo`` shares: the model it trains and the endpoint that
serves it. A module of its own so the canary and experiment parts can import them without
importing the orchestration (``demo/tour.py``) that imports them."""

from __future__ import annotations

MODEL = "breast-cancer"
ENDPOINT = "breast-cancer"
