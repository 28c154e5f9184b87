from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboards.demo.datasets import DEMO_PASSWORD, DEMO_USERNAME, load_demo


class Command(BaseCommand):
    help = "Load the demo data sources and user (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in load_demo():
            self.stdout.write(line)
        self.stdout.write(f"demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
