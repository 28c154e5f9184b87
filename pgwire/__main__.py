"""`python -m pgwire`: the wire endpoint as its own process, over dashwire's Django
backend. Flags default to the PGWIRE_* settings (see .env.example)."""

from __future__ import annotations

import argparse
import os
import sys

import django


def main(argv: list[str] | None = None) -> None:
    """1. Set up Django (DJANGO_SETTINGS_MODULE, config.settings unless set).
    2. Read the flags, defaulting to the settings.
    3. Serve until SIGTERM or Ctrl-C; exit 1 when the listener broke (a supervisor
       restarts the process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    from pgwire.django_backend import DjangoBackend
    from pgwire.server.listener import ServerOptions, run_server

    parser = argparse.ArgumentParser(
        prog="python -m pgwire",
        description="Serve the PostgreSQL wire endpoint for BI tools and Postgres clients.",
    )
    parser.add_argument("--host", default=settings.PGWIRE_HOST)
    parser.add_argument("--port", type=int, default=settings.PGWIRE_PORT)
    parser.add_argument("--tls-cert", default=settings.PGWIRE_TLS_CERT or None)
    parser.add_argument("--tls-key", default=settings.PGWIRE_TLS_KEY or None)
    parser.add_argument(
        "--login-timeout-s",
        type=float,
        default=settings.PGWIRE_LOGIN_TIMEOUT_S,
        help="seconds from a connection's accept to its login (however slow the client)",
    )
    options = parser.parse_args(argv)
    print(f"pgwire listening on {options.host}:{options.port}", flush=True)
    server_options = ServerOptions(
        host=options.host,
        port=options.port,
        tls_cert=options.tls_cert,
        tls_key=options.tls_key,
        login_timeout_s=options.login_timeout_s,
    )
    sys.exit(run_server(DjangoBackend(), server_options))


if __name__ == "__main__":
    main(sys.argv[1:])
