"""The endpoints of the requests this server answered last, in memory: what lets feedback from
a key limited to endpoints be checked at once, without the database, in the seconds before the
request's record is stored (``telemetry/feedback.py``)."""

from __future__ import annotations

from collections import OrderedDict

CAPACITY = 65_536
"""A minute of traffic at a thousand requests a second, far beyond the writer's lag (it stores
records every fraction of a second). Measured: 4.8 MiB for the map, plus the ids it keeps alive
(about 10 MiB in all with 32-character ids, 17 MiB with 128-character ones)."""


class RecentRequests:
    """``request_id → endpoint`` for the last ``capacity`` requests recorded here; the oldest
    goes first. Written on the event loop, read from worker threads: ``OrderedDict``'s get
    and set are single C calls under the GIL.

    Example::

        recent.remember("5f0c…", "churn")
        recent.endpoint_of("5f0c…")  # "churn"; None once forgotten or never seen here
    """

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._endpoints: OrderedDict[str, str] = OrderedDict()

    def remember(self, request_id: str, endpoint: str) -> None:
        """The first endpoint stays, as the first record of an id is the one stored: a later
        request reusing the id (a client's ``X-Request-Id``) cannot claim it."""
        if request_id in self._endpoints:
            return
        self._endpoints[request_id] = endpoint
        if len(self._endpoints) > self.capacity:
            self._endpoints.popitem(last=False)

    def endpoint_of(self, request_id: str) -> str | None:
        return self._endpoints.get(request_id)
