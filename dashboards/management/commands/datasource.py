from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connectors.errors import ConnectorError
from dashboards.catalog.datasources import create_datasource, remove_datasource
from dashboards.models import DataSource, Engine


class Command(BaseCommand):
    help = "Add, list or remove data sources."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a data source")
        add.add_argument("name")
        add.add_argument("--engine", required=True, choices=[e.value for e in Engine])
        add.add_argument("--path", default="", help="DuckDB file or Delta folder")
        add.add_argument("--dsn", default="", help="PostgreSQL connection string")
        add.add_argument("--threads", type=int)
        add.add_argument("--memory-limit")
        add.add_argument("--timeout-s", type=float)
        add.add_argument("--max-rows", type=int)
        add.add_argument("--max-bytes", type=int)
        add.add_argument("--no-check", action="store_true", help="do not test the connection")
        actions.add_parser("list", help="list data sources")
        remove = actions.add_parser("remove", help="remove a data source")
        remove.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        {"add": self.add, "list": self.list, "remove": self.remove}[options["action"]](options)

    def add(self, options: dict[str, Any]) -> None:
        engine = Engine(options["engine"])
        needs = {Engine.POSTGRES: "dsn"}.get(engine, "path")
        if not options[needs]:
            raise CommandError(f"--{needs} is required for engine {engine}")
        limits = {
            key: options[key]
            for key in ("threads", "memory_limit", "timeout_s", "max_rows", "max_bytes")
            if options[key] is not None
        }
        try:
            create_datasource(
                options["name"],
                engine=engine,
                path=options["path"],
                dsn=options["dsn"],
                should_check=not options["no_check"],
                **limits,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except ConnectorError as error:
            raise CommandError(f"cannot use {options['name']}: {error.message}") from error
        self.stdout.write(f"added data source {options['name']} ({engine})")

    def list(self, options: dict[str, Any]) -> None:
        for ds in DataSource.objects.all():
            where = ds.path or "(dsn encrypted)"
            self.stdout.write(f"{ds.name}\t{ds.engine}\t{where}")

    def remove(self, options: dict[str, Any]) -> None:
        try:
            datasource = DataSource.objects.get(name=options["name"])
        except DataSource.DoesNotExist as error:
            raise CommandError(f"no data source {options['name']}") from error
        remove_datasource(datasource)
        self.stdout.write(f"removed data source {options['name']}")
