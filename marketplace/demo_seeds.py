"""The seam through which higher apps add their part of ``manage.py seed_demo``.

``seed_demo`` lives in the marketplace, but some demo data belongs to apps that depend on it
(the ``ar`` app's mobile releases). Those apps register a seeder here in ``AppConfig.ready``;
``seed_demo`` runs every registered seeder after the catalogue. A seeder is idempotent and
returns a line for the console.
"""

from collections.abc import Callable

DemoSeeder = Callable[[], str]
_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(name: str, seeder: DemoSeeder) -> None:
    _seeders[name] = seeder


def demo_seeders_run() -> list[str]:
    return [seeder() for _, seeder in sorted(_seeders.items())]
