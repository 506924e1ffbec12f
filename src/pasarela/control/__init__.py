"""The control plane: workspaces, endpoint changes, later rollouts and jobs."""
