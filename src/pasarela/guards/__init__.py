"""Input and output guards: detectors that find things in text (injection, PII, secrets,
content) and the guards that turn findings into an action (``base.py``)."""
