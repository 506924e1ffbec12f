"""Roles and what they may do: the one table every route's check reads.

A route needs one permission (``api/permissions.py`` says which); a role grants a set of them.
``admin`` holds every permission, ``operator`` runs deliveries and hands out client keys,
``analyst`` reads, ``client`` calls models. A key (or token) has one role and may be limited
to named endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["admin", "operator", "analyst", "client"]
Permission = Literal[
    "predict",  # call a model: v1 predict, v2 infer and model metadata
    "feedback",  # report outcomes of predictions
    "read",  # endpoints, rollouts, stats, reports, experiments, models, dashboard, metrics
    "deliver",  # apply manifests, roll out, promote, abort, start and stop experiments
    "keys",  # create, list and revoke keys (operators: client keys only)
    "audit",  # read, verify and export the audit log
    "subjects",  # export and erase a data subject's records
    "administer",  # data keys, compliance, everything else only an admin does
]
"""What a route may need. ``public`` routes (health checks) need none."""

ROLES: tuple[Role, ...] = get_args(Role)
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)

GRANTS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(PERMISSIONS),
    "operator": frozenset({"read", "deliver", "keys"}),
    "analyst": frozenset({"read", "audit"}),
    "client": frozenset({"predict", "feedback"}),
}

CAN_CREATE: dict[Role, frozenset[Role]] = {
    "admin": frozenset(ROLES),
    "operator": frozenset({"client"}),
    "analyst": frozenset(),
    "client": frozenset(),
}
"""The roles of the keys a role may create and revoke: an operator hands out client keys and
can never mint a key stronger than its own."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from an API key or a bearer token."""

    subject: str
    """The key's id (``pk_1a2b3c4d``) or the token's ``sub``: recorded in the audit log."""
    role: Role
    endpoints: frozenset[str] | None = None
    """The endpoints this principal may call; None: all of them."""
    via: Literal["key", "jwt", "anonymous", "local"] = "key"
    """``local``: the CLI on a machine that can open the database, which is an admin."""

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def may_call(self, endpoint: str) -> bool:
        return self.endpoints is None or endpoint in self.endpoints


ANONYMOUS = Principal("anonymous", "admin", None, "anonymous")
"""Who calls while no key exists yet: a fresh install before its first key, and tests. Once a
key exists, nothing but the health checks answers without credentials."""
