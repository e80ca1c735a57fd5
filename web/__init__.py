"""The reading room: the archive of stories on the web (``diplowatch web``).

Pages (GET only, server-rendered, no script): stories by day and watch profile in the
digest's order, a story with every outlet's article, search with filters, a partner's and a
person's stories over time, the outlets' health, weekly charts as SVG and CSV.

Where it sits, and why. The house rule is that a package imports only packages to its right
(flows → crawler → parsers → analysis → storage → digest). The reading room reads the
database (``storage``) and reuses the digest's pure ranking, labels and escaping
(``digest``), and is started by the CLI (``flows.commands.web``), so it goes right after
``flows`` and left of everything it reads: flows → web → crawler → … → storage → digest.
It is not inside ``digest/``: the digest stage is pure (no database), and the reading room
is a reader of the database with an HTTP server; putting it there would break that. Nothing
to its right knows it exists; the one thing the digest needs (the story page's path, for the
links in the email and the feed) lives in ``digest.links`` and the routes here use it.
``web`` imports nothing of ``flows`` (settings arrive as a plain ``web.config.WebConfig``)
and never ``crawler``.
"""

from web.app import create_app
from web.config import Profile, WebConfig, check_exposure, is_loopback

__all__ = ["Profile", "WebConfig", "check_exposure", "create_app", "is_loopback"]
