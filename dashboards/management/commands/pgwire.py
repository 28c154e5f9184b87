from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the PostgreSQL wire endpoint for BI tools and Postgres clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.PGWIRE_HOST)
        parser.add_argument("--port", type=int, default=settings.PGWIRE_PORT)
        parser.add_argument("--tls-cert", default=settings.PGWIRE_TLS_CERT or None)
        parser.add_argument("--tls-key", default=settings.PGWIRE_TLS_KEY or None)

    def handle(self, *args: Any, **options: Any) -> None:
        from pgwire.backend import DjangoBackend
        from pgwire.server import run_server

        self.stdout.write(f"pgwire listening on {options['host']}:{options['port']}")
        run_server(
            DjangoBackend(),
            host=options["host"],
            port=options["port"],
            tls_cert=options["tls_cert"],
            tls_key=options["tls_key"],
        )
