"""What the reading room is given (the ``diplowatch web`` command builds it from settings):
the database, the watch profiles and the credentials. Plain values; no settings import."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

__all__ = ["ExposedError", "Profile", "WebConfig", "check_exposure", "is_loopback"]


@dataclass(frozen=True)
class Profile:
    """A watch profile as the pages need it (``flows.settings.WatchProfile``)."""

    name: str
    partners: tuple[str, ...] = ("US",)
    topics: tuple[str, ...] = ()
    min_score: float = 0.5


@dataclass(frozen=True)
class WebConfig:
    database_url: str
    profiles: tuple[Profile, ...] = field(default_factory=lambda: (Profile("vn-us"),))
    token: str | None = None  # "Authorization: Bearer <token>"
    username: str | None = None  # HTTP basic
    password: str | None = None
    per_page: int = 20
    title: str = "diplowatch"

    @property
    def protected(self) -> bool:
        """Credentials are configured: every page requires them."""
        return bool(self.token) or bool(self.username and self.password)

    def profile(self, name: str | None) -> Profile:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        return self.profiles[0] if self.profiles else Profile("any", partners=(), min_score=0)


class ExposedError(ValueError):
    """Listening beyond loopback without credentials, or half-configured credentials."""


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def check_exposure(host: str, config: WebConfig) -> None:
    """Refuse to serve beyond loopback without a token or basic credentials."""
    if bool(config.username) != bool(config.password):
        raise ExposedError(
            "set both DIPLOWATCH_WEB__USERNAME and DIPLOWATCH_WEB__PASSWORD (or neither)"
        )
    if not is_loopback(host) and not config.protected:
        raise ExposedError(
            f"listening on {host} exposes the archive: set DIPLOWATCH_WEB__TOKEN, or "
            "DIPLOWATCH_WEB__USERNAME and DIPLOWATCH_WEB__PASSWORD (or keep --host 127.0.0.1)"
        )
