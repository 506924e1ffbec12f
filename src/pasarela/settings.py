"""Configuration, read from the environment (prefix ``PASARELA_``) or passed in code."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a pasarela process.

    Example::

        settings = Settings(home=Path("/var/lib/pasarela"), max_batch_size=64)
    """

    model_config = SettingsConfigDict(env_prefix="PASARELA_", extra="ignore")

    home: Path = Path(".pasarela")
    """Where the embedded database (SQLite) and the artifact store live."""

    database_url: str | None = None
    """SQLAlchemy URL of the shared database, e.g. ``postgresql+psycopg://host/db``.
    Unset means SQLite at ``<home>/pasarela.db``."""

    artifacts_dir: Path | None = None
    """Content-addressed artifact store; defaults to ``<home>/artifacts``."""

    host: str = "127.0.0.1"
    """Address `pasarela serve` binds to."""

    port: int = 8000
    """Port `pasarela serve` listens on."""

    max_batch_size: int = Field(default=32, ge=1)
    """Default cap on rows per model call, for endpoints that do not set their own."""

    max_wait_ms: float = Field(default=0.0, ge=0)
    """Default longest time the first request of a batch waits for a full batch, in
    milliseconds. 0 favours latency: batches still form from requests that arrive while the
    model is busy."""

    max_queue: int = Field(default=1024, ge=1)
    """Default bound on requests waiting per model version; beyond it requests get 503."""

    max_queue_wait_ms: float | None = Field(default=None, gt=0)
    """Default load-shedding budget: while a version's oldest waiting request has waited longer
    than this, new requests get 503 ``overloaded`` at once; unset: no budget."""

    model_threads: int | None = Field(default=None, ge=1)
    """Threads running model calls, shared by every version (each version runs one batch at a
    time; versions whose runtime holds the GIL, like scikit-learn's, take turns). Default:
    Python's choice (cores + 4)."""

    request_timeout_s: float = Field(default=30.0, gt=0)
    """Longest time a prediction may take, queue included, before it fails with model_timeout."""

    shutdown_delay_s: float = Field(default=2.0, ge=0, le=300)
    """On SIGTERM, how long readiness is false while the server still serves, before it stops
    accepting connections (``api/lifecycle.py``)."""

    shutdown_timeout_s: float = Field(default=30.0, gt=0)
    """How long a stopping server waits for the requests in flight."""

    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    """Largest request body accepted; larger ones get 413 payload_too_large."""

    records: bool = True
    """Record every routed prediction (journal first, database soon after)."""

    spool_max_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024 * 1024)
    """Bound on the local journal that holds records while the database is slow or down;
    beyond it new records are dropped (and logged), requests are never refused for it."""

    snapshot_poll_s: float = Field(default=2.0, gt=0)
    """How often the server checks the database for control-plane changes made elsewhere."""

    controller: bool = True
    """Run the canary controller in this server (only the leader among servers acts)."""

    controller_poll_s: float = Field(default=1.0, gt=0)
    """How often the canary controller looks for canary steps that are due."""

    migrate_on_start: bool = True
    """Run database migrations when the app starts (always on for the embedded database)."""

    bootstrap_admin_key: bool = True
    """On the first ``pasarela serve`` of an install with no key, create an admin key and print
    it once. From then on nothing but the health checks answers without credentials."""

    jwt_secret: str | None = None
    """Accept HS256 bearer tokens signed with this secret (never logged)."""

    jwt_public_key: Path | None = None
    """Accept RS256 bearer tokens verified with this PEM public key."""

    jwt_jwks: str | None = None
    """Accept RS256 bearer tokens verified with the keys of this JWKS: a file path (read at
    start) or an ``https://`` URL (fetched at start and every ``jwt_jwks_refresh_s``)."""

    jwt_jwks_refresh_s: float = Field(default=300.0, gt=0)
    """How often a JWKS URL is fetched again, off the request path."""

    jwt_jwks_min_refresh_s: float = Field(default=30.0, gt=0)
    """A token signed with a key the JWKS URL did not list makes the next fetch come early, but
    never sooner than this after the last one (the token itself is refused)."""

    jwt_issuer: str | None = None
    """Tokens must carry this ``iss``."""

    jwt_audience: str | None = None
    """Tokens must carry this ``aud``."""

    jwt_role_claim: str = "role"
    """The claim that holds the role (a string, or a list whose first mapped entry wins)."""

    jwt_role_map: dict[str, str] = Field(default_factory=dict)
    """Claim values to roles, e.g. ``{"ml-platform-admins": "admin"}``; values that are role
    names map to themselves."""

    jwt_endpoints_claim: str = "endpoints"
    """An optional claim listing the endpoints a token may call."""

    encrypt_payloads: bool = True
    """Seal recorded inputs and outputs with AES-256-GCM before they reach the journal or the
    database (``security/crypto.py``)."""

    master_key: SecretStr | None = None
    """The key that wraps the data keys, base64url of 32 bytes; unset: ``<home>/master.key``,
    made on first use (mode 0600). Servers sharing a database need the same one."""

    pseudonymization_key: SecretStr | None = None
    """Base64url of 32 bytes: lets ``reversible`` PII guards replace values with tokens that
    ``pasarela guards reveal`` turns back, with this key only."""

    retention_days: float | None = Field(default=None, gt=0)
    """Delete records older than this, for endpoints that set no ``retention_days`` of their
    own; unset: keep them."""

    backup_interval_s: float | None = Field(default=None, ge=10)
    """Take a backup this often (the leader does, ``control/backup.py``); unset: only on
    demand (``pasarela backup create``)."""

    backup_keep: int = Field(default=24, ge=1)
    """Scheduled backups kept; older ones are deleted after each new one."""

    backup_dir: Path | None = None
    """Where scheduled backups go; defaults to ``<home>/backups``."""

    backup_key: SecretStr | None = None
    """Base64url of 32 bytes: backups are sealed with it (``pasarela backup create --encrypt``;
    scheduled backups whenever it is set). Keep it apart from the backups."""

    incidents: bool = True
    """Watch for trouble (open breakers, fallback storms, errors above the objective, failed
    canaries) and keep incidents of it (``telemetry/incidents.py``)."""

    incident_poll_s: float = Field(default=5.0, gt=0)
    """How often each server reports what it sees."""

    incident_clear_s: float = Field(default=60.0, gt=0)
    """A condition no server has seen for this long is cleared; an incident closes when all
    of its conditions are."""

    incident_window_s: float = Field(default=60.0, gt=0, le=3600)
    """The window error rates and fallback shares are measured over."""

    incident_min_requests: int = Field(default=20, ge=1)
    """Requests a window needs before its rates count."""

    incident_error_rate: float = Field(default=0.05, gt=0, lt=1)
    """The error-rate objective: an endpoint above it is a P1 (at 95 % or more, a P0)."""

    incident_fallback_share: float = Field(default=0.2, gt=0, le=1)
    """Fallback links answering this share of requests or more is a fallback storm (P1)."""

    incident_canary_hold_s: float = Field(default=900.0, gt=0)
    """A canary rolled back keeps its incident (P2) open this long; so does a record quarantined
    because the database refused it (group ``records``)."""

    incident_notifiers: list[str] = Field(default_factory=lambda: ["log"])
    """Notifiers told when an incident opens, escalates or closes: ``log``, ``webhook``, or
    a plugin's name (entry point group ``pasarela.notifiers``)."""

    incident_webhook_url: str | None = None
    """POST incident changes here (adds the ``webhook`` notifier); never logged whole."""

    incident_webhook_secret: SecretStr | None = None
    """Signs webhook deliveries (HMAC-SHA256, header ``X-Pasarela-Signature``)."""

    rate_limit_redis_url: str | None = None
    """Count rate limits in this Redis, shared by every server; unset: per process."""

    cache_redis_url: str | None = None
    """The Redis that endpoints with ``cache: {backend: redis}`` keep answers in, shared by
    every server; unset: such endpoints cannot serve (``memory`` caches need nothing)."""

    default_key_rate_limit: str | None = None
    """The rate limit of keys that set none, e.g. ``100/s burst=200``; unset: none."""

    ui_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    """How long a dashboard sign-in lasts (never longer than the key that signed in)."""

    trusted_proxies: str = ""
    """Comma-separated addresses or networks of the reverse proxies in front of the server
    (e.g. ``10.0.0.0/8``): only their ``X-Forwarded-Proto``/``X-Forwarded-Host`` are believed,
    which makes the dashboard's cookie ``Secure`` behind a TLS proxy."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'pasarela.db').resolve()}"

    @property
    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir or self.home / "artifacts"
