"""Send a message to chat and webhook services through apprise (Slack, Telegram, Matrix,
Teams, a generic JSON webhook ``json://host/path``…): one attempt to one service URL.

Like ``digest.send`` for email: :class:`digest.send.SendError` when nothing was delivered,
``temporary`` when a later try may pass (the service answered with an error, timed out or
could not be reached); an unusable URL is permanent. The URL carries the service's secret
(a token, a password): it is never put in an error message or a log line; apprise's own
privacy form names the service instead.
"""

from __future__ import annotations

import logging

import apprise

from digest.send import SendError

__all__ = ["describe_url", "notify_chat"]

log = logging.getLogger(__name__)

CALL_TIMEOUT_SECONDS = 60.0  # the whole call, whatever the service's own timeouts


def _apprise(url: str) -> apprise.Apprise:
    service = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
    if not service.add(url):
        raise SendError("not a usable apprise URL (see https://appriseit.com/services/)")
    return service


def describe_url(url: str) -> str:
    """The service's name and its URL with secrets masked, for logs and listings."""
    try:
        service = _apprise(url)
    except SendError as error:
        return str(error)
    plugin = service[0]
    masked = plugin.url(privacy=True)  # type: ignore[no-untyped-call]
    return f"{plugin.service_name} {masked}"


def notify_chat(
    url: str, title: str, markdown: str, *, timeout_seconds: float = CALL_TIMEOUT_SECONDS
) -> str:
    """Send ``markdown`` (with ``title``) to the service of ``url``; the service's name.

    Raises SendError when it was not delivered: temporary unless the URL is unusable.
    """
    service = _apprise(url)
    name = str(service[0].service_name)
    result = service.notify(
        body=markdown,
        title=title,
        body_format=apprise.NotifyFormat.MARKDOWN,
        timeout=timeout_seconds,
    )
    try:
        if result:
            return name
        details = [str(entry.message) for entry in result.logs()]
        reason = "; ".join(dict.fromkeys(d.replace(url, "***") for d in details if d))
        status = result.status.name.lower()
        raise SendError(f"{name}: {status}: {reason or 'not delivered'}", temporary=True)
    finally:
        result.close()
