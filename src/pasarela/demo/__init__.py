"""The guided tours: ``pasarela demo`` (``tour.run_demo``) trains, registers, serves, rolls out
two canaries, runs an A/B experiment and shows the audit log.

Each part is its own module (``canary``, ``experiment``, ``security``, ``names``, and the
demo's own flaky model in ``flaky``); nothing is imported here, so a server that loads the
flaky model by its entrypoint does not import the tour.
"""
