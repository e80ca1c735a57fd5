"""One typed settings object, loaded once.

Sources, strongest first: keyword arguments, environment variables with the prefix
``DIPLOWATCH_`` (nested fields with ``__``, e.g. ``DIPLOWATCH_SMTP__HOST``), a ``.env`` file in
the working directory, a TOML file named by ``DIPLOWATCH_CONFIG`` (default ``diplowatch.toml``
when it exists), then the defaults below. Secrets (the SMTP password) are ``SecretStr`` and
never appear in logs or reprs.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from digest.alert_rules import DEFAULT_RULES, AlertRule, QuietHours

DEFAULT_DATA_DIR = Path("data")


class SmtpSettings(BaseModel):
    host: str | None = None  # no host: digests are only written to the output folder
    port: int = 587
    username: str | None = None
    password: SecretStr | None = None
    security: Literal["none", "starttls", "ssl"] = "starttls"
    sender: str = "diplowatch@localhost"
    timeout_seconds: float = 30.0


class StoryAlertSettings(BaseModel):
    """Alerts for the stories that cannot wait for the digest (README, "Alerts")."""

    enabled: bool = True
    # A story alerts when it meets one of these (digest.alert_rules); levels order them.
    rules: list[AlertRule] = Field(default_factory=lambda: list(DEFAULT_RULES))
    # Email: the digest's SMTP settings; None: the profile's digest recipients, []: no email.
    recipients: list[str] | None = None
    # Chat and webhooks: apprise URLs by a name of your choice (the name is what is stored
    # and shown; the URL holds the service's secret), e.g. {"desk": "tgram://TOKEN/CHAT"}.
    channels: dict[str, SecretStr] = Field(default_factory=dict)
    # Asia/Ho_Chi_Minh; alerts below ``urgent_level`` wait until it ends. None: never quiet.
    quiet_hours: str | None = "22:00-06:00"
    urgent_level: int = 2
    # Only stories whose first article is this recent alert (not a backlog, not a backfill).
    max_age_hours: float = 12.0
    # A failed delivery: Prefect retries it in the run, then each later run until this many.
    retries: int = 2
    retry_delay_seconds: float = 20.0
    max_attempts: int = 8

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str | None) -> str | None:
        if value:
            QuietHours.parse(value)
        return value or None


class WatchProfile(BaseModel):
    name: str
    partners: list[str] = Field(default_factory=lambda: ["US"])  # empty: any partner
    # Fields of cooperation to watch, as in ``Verdict.topics`` ("semiconductors",
    # "defence-security", ...); empty: any field.
    topics: list[str] = Field(default_factory=list)
    min_score: float = 0.5
    recipients: list[str] = Field(default_factory=list)
    story_alerts: StoryAlertSettings = Field(default_factory=StoryAlertSettings)


class PolitenessSettings(BaseModel):
    # Minimum delay between two requests to one host. The registry sets each outlet's own
    # delay; ``outlet_delays`` overrides it per outlet key (e.g. an outlet that asks us to
    # slow down), and robots.txt Crawl-delay raises it further.
    min_delay_seconds: float = 1.0
    outlet_delays: dict[str, float] = Field(default_factory=dict)
    max_connections_per_host: int = 2
    timeout_seconds: float = 20.0
    connect_timeout_seconds: float = 10.0
    max_body_bytes: int = 15_000_000
    max_redirects: int = 5
    max_retries: int = 2
    backoff_seconds: float = 1.0
    respect_robots: bool = True
    # robots.txt is kept in the database and asked again (conditional GET) after this long;
    # a failed robots.txt (5xx, 429, unreachable) is asked again after the short one.
    robots_ttl_seconds: float = 24 * 3600.0
    robots_error_ttl_seconds: float = 600.0
    # The per-host delay across processes (several workers, concurrent flow runs) through
    # Prefect global concurrency limits named ``diplowatch-host:<host>``. Off by default (one
    # process: its own spacing suffices); set true on a scaled-out deployment with several
    # workers. None: on whenever a Prefect server is configured (PREFECT_API_URL).
    shared_limits: bool | None = False


class AlertSettings(BaseModel):
    # The operator's mailbox for outlet health incidents (empty: incidents are only logged
    # and shown in the run summary). Each incident is mailed once, when it starts.
    recipients: list[str] = Field(default_factory=list)
    error_streak: int = 3  # failed monitor runs in a row that make an incident
    # Extraction health over the outlet's latest runs holding at least ``min_articles``
    # stored articles: an incident when more than these shares are empty or undated.
    min_articles: int = 10
    max_empty_share: float = 0.3
    max_missing_date_share: float = 0.5
    # ... or when more than this share needed a fallback extractor (the quality gate failed
    # the outlet's first extractor on them: a redesign, or a layout the generic path misses).
    max_fallback_share: float = 0.3


class WebSettings(BaseModel):
    """The reading room (``diplowatch web``): where it listens, how links reach it, and the
    credentials it requires when it listens on anything but loopback."""

    host: str = "127.0.0.1"
    port: int = 8080
    # The address readers use (e.g. https://watch.example.org): the digest email and the
    # Atom feed link each story to its page there. None: no links.
    base_url: str | None = None
    token: SecretStr | None = None  # "Authorization: Bearer <token>"
    username: str | None = None  # HTTP basic credentials
    password: SecretStr | None = None


def _default_profiles() -> list[WatchProfile]:
    return [WatchProfile(name="vn-us", partners=["US"])]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DIPLOWATCH_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # default: sqlite:///<data_dir>/diplowatch.db
    digest_dir: Path | None = None  # default: <data_dir>/digests
    warc_dir: Path | None = None  # default: <data_dir>/warc
    user_agent: str = "diplowatch/0.1 (+https://github.com/diplowatch; diplomacy news monitor)"
    politeness: PolitenessSettings = Field(default_factory=PolitenessSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    profiles: list[WatchProfile] = Field(default_factory=_default_profiles)
    # Maps outlet hosts to another address, e.g. {"vnexpress.net": "127.0.0.1:8080"}: for
    # tests and for a local replay server. Never needed in production.
    host_map: dict[str, str] = Field(default_factory=dict)
    # Fetching private, loopback or link-local addresses is refused unless this is set
    # (hosts in ``host_map`` are an explicit decision and are always allowed).
    allow_private_addresses: bool = False
    max_articles_per_outlet: int = 60  # per monitor run, newest first
    # A day without new diplomacy stories: mail a short "no new stories" digest (True) or
    # send nothing (False; the digest is still written to the folder and archived).
    send_empty_digest: bool = True

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("DIPLOWATCH_CONFIG", "diplowatch.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings, dotenv_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        sources.append(file_secret_settings)
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'diplowatch.db').resolve()}"

    @property
    def resolved_digest_dir(self) -> Path:
        return self.digest_dir or self.data_dir / "digests"

    @property
    def resolved_warc_dir(self) -> Path:
        return self.warc_dir or self.data_dir / "warc"

    def profile(self, name: str) -> WatchProfile:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.profiles) or "none"
        raise KeyError(f"unknown watch profile {name!r} (configured: {known})")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, loaded once."""
    return Settings()
