"""qm demo seed: load the demo company."""
from __future__ import annotations

from ._common import command_with_one_action, settings_or_exit


def register(sub) -> None:
    command_with_one_action(sub, "demo", "demo data", "seed", "load the demo company (customers, products, stock, orders, history)",
                            seed_cmd)


async def seed_cmd(args) -> int:
    from ..app import command_services, seed_demo_if_empty

    async with command_services(settings_or_exit()) as services:
        loaded = await seed_demo_if_empty(services)
    print("demo company loaded" if loaded else "the database already has customers: demo data not loaded")
    return 0
