"""``diplowatch web``: the reading room (``web``) served by uvicorn, read only."""

from __future__ import annotations

import argparse

from flows.commands.common import CliError, Subcommands, add_db


def register(commands: Subcommands) -> None:
    web = commands.add_parser(
        "web",
        help="serve the archive of stories on the web (read only)",
        description=(
            "Stories by day, story pages, search, partners, people, outlet health and weekly "
            "charts. Binds 127.0.0.1 by default; any other address needs "
            "DIPLOWATCH_WEB__TOKEN or DIPLOWATCH_WEB__USERNAME and __PASSWORD."
        ),
    )
    web.add_argument("--host", help="address to listen on (default: settings, 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default: settings, 8080)")
    add_db(web)
    web.set_defaults(handler=command_web)


def command_web(args: argparse.Namespace) -> int:
    import uvicorn

    from flows.settings import get_settings
    from storage.archive import SchemaMissingError
    from web import Profile, WebConfig, check_exposure, create_app

    settings = get_settings()
    web = settings.web
    host = args.host or web.host
    port = args.port if args.port is not None else web.port
    if not 0 < port < 65536:
        raise CliError("--port must be between 1 and 65535")
    config = WebConfig(
        database_url=args.db or settings.resolved_database_url,
        profiles=tuple(
            Profile(p.name, tuple(p.partners), tuple(p.topics), p.min_score)
            for p in settings.profiles
        ),
        token=web.token.get_secret_value() if web.token else None,
        username=web.username,
        password=web.password.get_secret_value() if web.password else None,
    )
    try:
        check_exposure(host, config)
        app = create_app(config)
    except (ValueError, SchemaMissingError) as error:
        raise CliError(str(error)) from error
    shown = f"[{host}]" if ":" in host else host
    print(f"diplowatch web: http://{shown}:{port}/ (read only; Ctrl+C to stop)", flush=True)
    uvicorn.run(
        app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False
    )
    return 0
