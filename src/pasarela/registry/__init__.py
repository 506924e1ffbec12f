"""Models, versions, aliases, signatures and baselines."""
