"""The one typed settings module. Every field is read from the environment variable named by
its alias (or a `.env` file in the working directory) and is documented in
`docs/configuration.md`; `tests/test_settings_documented.py` fails when one is not.

With nothing set, TraceIQ runs on embedded defaults: SQLite and artifacts under ./data, a
redis-server child on a unix socket, and supervised RQ workers.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "insecure-dev-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(Path("data"), alias="TRACEIQ_DATA_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")

    # --- processes -----------------------------------------------------------------------
    port: int = Field(3000, alias="TRACEIQ_PORT", ge=1, le=65535)
    workers: int = Field(2, alias="TRACEIQ_WORKERS", ge=0, le=64)
    # Web server processes when REDIS_URL is set (Reflex state shared there); unset: Reflex's
    # default, min(2 x CPUs + 1, 8). Without REDIS_URL the web node is always one process.
    web_processes: int | None = Field(None, alias="TRACEIQ_WEB_PROCESSES", ge=1, le=64)
    web_bind: str = Field("0.0.0.0", alias="TRACEIQ_WEB_BIND")  # noqa: S104 - the documented default
    redis_server_bin: str = Field("redis-server", alias="TRACEIQ_REDIS_SERVER")
    mode: Literal["production", "development"] = Field("production", alias="TRACEIQ_MODE")
    public_url: str | None = Field(None, alias="TRACEIQ_PUBLIC_URL")
    log_format: Literal["text", "json"] = Field("text", alias="TRACEIQ_LOG_FORMAT")
    # --- metrics ---------------------------------------------------------------------------
    metrics_token: str | None = Field(None, alias="TRACEIQ_METRICS_TOKEN")
    metrics_dir: Path | None = Field(None, alias="TRACEIQ_METRICS_DIR")
    worker_metrics_port: int | None = Field(None, alias="TRACEIQ_WORKER_METRICS_PORT", ge=1, le=65535)
    # --- tracing (OpenTelemetry, OTLP over HTTP; off when unset) ------------------------------
    otel_endpoint: str | None = Field(None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")

    # --- artifacts -----------------------------------------------------------------------
    s3_endpoint: str | None = Field(None, alias="S3_ENDPOINT")
    s3_access_key: str | None = Field(None, alias="S3_ACCESS_KEY")
    s3_secret_key: str | None = Field(None, alias="S3_SECRET_KEY")
    s3_bucket: str = Field("traceiq", alias="S3_BUCKET")
    s3_region: str | None = Field(None, alias="S3_REGION")
    s3_secure: bool = Field(False, alias="S3_SECURE")

    # --- browsers ------------------------------------------------------------------------
    chromium_path: str | None = Field(None, alias="TRACEIQ_CHROMIUM_PATH")

    # --- runs and workers ----------------------------------------------------------------
    warm_browsers: bool = Field(True, alias="TRACEIQ_WARM_BROWSERS")
    browser_idle_seconds: float = Field(300.0, alias="TRACEIQ_BROWSER_IDLE_SECONDS", ge=0, le=86_400)
    # The first test after an idle close relaunches the browser while its attempt is claimed.
    browser_early_relaunch: bool = Field(True, alias="TRACEIQ_BROWSER_EARLY_RELAUNCH")
    browser_idle_keep_driver: bool = Field(False, alias="TRACEIQ_BROWSER_IDLE_KEEP_DRIVER")
    heartbeat_seconds: float = Field(2.0, alias="TRACEIQ_HEARTBEAT_SECONDS", gt=0, le=60)
    worker_lost_seconds: float = Field(15.0, alias="TRACEIQ_WORKER_LOST_SECONDS", ge=1, le=3600)
    maintenance_seconds: float = Field(2.0, alias="TRACEIQ_MAINTENANCE_SECONDS", gt=0, le=600)
    run_trace: Literal["on", "off", "failures"] = Field("failures", alias="TRACEIQ_RUN_TRACE")
    run_video: bool = Field(False, alias="TRACEIQ_RUN_VIDEO")
    # Deny tests private and loopback addresses (off: testing a local app is the embedded default).
    test_deny_private: bool = Field(False, alias="TRACEIQ_TEST_DENY_PRIVATE")
    events_maxlen: int = Field(10_000, alias="TRACEIQ_EVENTS_MAXLEN", ge=100)
    events_ttl_hours: float = Field(24.0, alias="TRACEIQ_EVENTS_TTL_HOURS", gt=0)
    sse_ping_seconds: float = Field(15.0, alias="TRACEIQ_SSE_PING_SECONDS", gt=0, le=300)

    # --- artifact retention ----------------------------------------------------------------
    retention_passed_days: int = Field(7, alias="TRACEIQ_RETENTION_PASSED_DAYS", ge=0)
    retention_failed_days: int = Field(30, alias="TRACEIQ_RETENTION_FAILED_DAYS", ge=0)
    retention_rules: str = Field("", alias="TRACEIQ_RETENTION_RULES")
    retention_interval_minutes: float = Field(60.0, alias="TRACEIQ_RETENTION_INTERVAL_MINUTES", gt=0)
    artifact_url_ttl_seconds: int = Field(300, alias="TRACEIQ_ARTIFACT_URL_TTL_SECONDS", ge=10, le=86_400)
    max_upload_mb: int = Field(100, alias="TRACEIQ_MAX_UPLOAD_MB", ge=1, le=10_000)
    manual_attachment_max_kb: int = Field(5120, alias="TRACEIQ_MANUAL_ATTACHMENT_MAX_KB", ge=1, le=1024 * 1024)

    # --- security ------------------------------------------------------------------------
    secret_key: str | None = Field(None, alias="TRACEIQ_SECRET_KEY")
    session_max_age_hours: int = Field(336, alias="TRACEIQ_SESSION_MAX_AGE_HOURS", ge=1, le=24 * 365)
    session_idle_minutes: int = Field(720, alias="TRACEIQ_SESSION_IDLE_MINUTES", ge=1, le=60 * 24 * 365)
    login_max_failures: int = Field(5, alias="TRACEIQ_LOGIN_MAX_FAILURES", ge=1, le=1000)
    login_max_failures_per_ip: int = Field(50, alias="TRACEIQ_LOGIN_MAX_FAILURES_PER_IP", ge=1, le=100000)
    login_lockout_minutes: int = Field(15, alias="TRACEIQ_LOGIN_LOCKOUT_MINUTES", ge=1, le=60 * 24)
    allow_signup: bool = Field(False, alias="TRACEIQ_ALLOW_SIGNUP")
    signup: Literal["open", "invite-only", "first-user-only"] = Field("first-user-only", alias="TRACEIQ_SIGNUP")
    max_body_kb: int = Field(1024, alias="TRACEIQ_MAX_BODY_KB", ge=1, le=1024 * 1024)
    health_token: str | None = Field(None, alias="TRACEIQ_HEALTH_TOKEN")
    api_rate_limit: str = Field("600/minute", alias="TRACEIQ_API_RATE_LIMIT")
    api_anonymous_rate_limit: str = Field("120/minute", alias="TRACEIQ_API_ANONYMOUS_RATE_LIMIT")
    api_auth_failure_limit: str = Field("30/minute", alias="TRACEIQ_API_AUTH_FAILURE_LIMIT")
    trusted_proxies: str = Field("", alias="TRACEIQ_TRUSTED_PROXIES")

    # --- mail (password resets, invitations) ---------------------------------------------------
    smtp_host: str | None = Field(None, alias="TRACEIQ_SMTP_HOST")
    smtp_port: int = Field(587, alias="TRACEIQ_SMTP_PORT", ge=1, le=65535)
    smtp_user: str | None = Field(None, alias="TRACEIQ_SMTP_USER")
    smtp_password: str | None = Field(None, alias="TRACEIQ_SMTP_PASSWORD")
    smtp_from: str = Field("TraceIQ <traceiq@localhost>", alias="TRACEIQ_SMTP_FROM")
    smtp_starttls: bool = Field(True, alias="TRACEIQ_SMTP_STARTTLS")

    # --- notifications (webhooks, Slack, Teams, e-mail) ---------------------------------------
    webhook_allow_private: bool = Field(False, alias="TRACEIQ_WEBHOOK_ALLOW_PRIVATE")
    webhook_allowed_hosts: str = Field("", alias="TRACEIQ_WEBHOOK_ALLOWED_HOSTS")
    webhook_timeout_seconds: float = Field(10.0, alias="TRACEIQ_WEBHOOK_TIMEOUT_SECONDS", gt=0, le=120)
    schedule_missed_grace_seconds: int = Field(300, alias="TRACEIQ_SCHEDULE_MISSED_GRACE_SECONDS", ge=10,
                                               le=86_400)
    # --- AI assistance (any OpenAI-compatible chat completions endpoint; off when unset) --------
    llm_base_url: str | None = Field(None, alias="TRACEIQ_LLM_BASE_URL")
    llm_api_key: str | None = Field(None, alias="TRACEIQ_LLM_API_KEY")
    llm_model: str = Field("gpt-4o-mini", alias="TRACEIQ_LLM_MODEL")
    llm_timeout_seconds: float = Field(60.0, alias="TRACEIQ_LLM_TIMEOUT_SECONDS", gt=0, le=600)
    llm_retries: int = Field(2, alias="TRACEIQ_LLM_RETRIES", ge=0, le=10)
    llm_rate_limit_per_minute: int = Field(20, alias="TRACEIQ_LLM_RATE_LIMIT_PER_MINUTE", ge=1, le=10_000)
    llm_rank_budget_ms: int = Field(1500, alias="TRACEIQ_LLM_RANK_BUDGET_MS", ge=100, le=30_000)

    # --- single sign-on (OpenID Connect) -------------------------------------------------------
    oidc_issuer: str | None = Field(None, alias="TRACEIQ_OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, alias="TRACEIQ_OIDC_CLIENT_ID")
    oidc_client_secret: str | None = Field(None, alias="TRACEIQ_OIDC_CLIENT_SECRET")
    oidc_allow_signup: bool = Field(False, alias="TRACEIQ_OIDC_ALLOW_SIGNUP")
    oidc_default_org: str | None = Field(None, alias="TRACEIQ_OIDC_DEFAULT_ORG")
    oidc_provider_name: str = Field("SSO", alias="TRACEIQ_OIDC_PROVIDER_NAME")

    @field_validator("web_bind")
    @classmethod
    def _bind_address(cls, value: str) -> str:
        value = value.strip().removeprefix("[").removesuffix("]")
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", value):
            raise ValueError(f"{value!r} is not an IP address or host name (e.g. 0.0.0.0, 127.0.0.1, ::)")
        return value

    @property
    def web_processes_effective(self) -> int | None:
        """Processes the web server runs: 1 without REDIS_URL (per-tab state lives in memory)."""
        return self.web_processes if self.redis_url else 1

    @property
    def database_url_effective(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'traceiq.db').resolve()}"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def embedded_redis_socket(self) -> Path:
        return (self.data_dir / "redis" / "redis.sock").resolve()

    @property
    def redis_url_effective(self) -> str:
        """REDIS_URL, or the embedded redis-server's unix socket (never assumes 6379 is free)."""
        if self.redis_url:
            return self.redis_url
        return f"unix://{self.embedded_redis_socket}"

    def secret_key_effective(self) -> str:
        """TRACEIQ_SECRET_KEY, or a random key created once and kept in the data folder.

        A fresh install is therefore never on a well-known key, and restarts keep sessions and
        encrypted secrets readable.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def public_url_effective(self) -> str:
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def uses_embedded_redis(self) -> bool:
        return not self.redis_url


class InsecureSettingsError(RuntimeError):
    pass


def check_production_safety(settings: Settings) -> None:
    if settings.mode == "production" and settings.secret_key == DEFAULT_SECRET_KEY:
        raise InsecureSettingsError(
            "TRACEIQ_SECRET_KEY is the published development key; set a random one "
            "(or unset it to have one generated) before running in production mode"
        )


def env_var_names() -> list[str]:
    """Every environment variable TraceIQ reads, for the documentation test."""
    return sorted(str(f.alias) for f in Settings.model_fields.values() if f.alias)


_settings_lock = threading.Lock()
_settings: Settings | None = None
_settings_generation = 0


def get_settings() -> Settings:
    """The settings, read from the environment once. A read that was under way in another
    thread when `reset_settings_cache()` ran is never kept: it may have read the old
    environment (an lru_cache would store it after the reset, and a test then saw a previous
    test's database)."""
    global _settings
    current = _settings
    if current is not None:
        return current
    with _settings_lock:
        generation = _settings_generation
    built = Settings()
    with _settings_lock:
        if _settings is None and generation == _settings_generation:
            _settings = built
        return _settings if _settings is not None else built


def reset_settings_cache() -> None:
    """Tests change the environment between cases; let them re-read it."""
    global _settings, _settings_generation
    with _settings_lock:
        _settings = None
        _settings_generation += 1
