"""What each role may do. Use cases call require(); the bot only uses it to
decide what to show."""
from __future__ import annotations

from .errors import N_, PermissionDenied
from .models import Role, User

ALL = frozenset(Role)
OFFICE = frozenset({Role.admin, Role.manager, Role.sales})
MANAGERS = frozenset({Role.admin, Role.manager})
FLOOR = frozenset({Role.admin, Role.manager, Role.warehouse})

CAPABILITIES: dict[str, frozenset[Role]] = {
    "manage_users": frozenset({Role.admin}),
    "view_history": MANAGERS,
    "view_customers": OFFICE,
    "edit_customers": OFFICE,
    "log_interaction": OFFICE,
    "manage_deals": OFFICE,
    "edit_any_deal": MANAGERS,
    "reminders": ALL,
    "view_orders": OFFICE | FLOOR,
    "manage_orders": OFFICE,
    "discount": MANAGERS,
    "view_stock": ALL,
    "warehouse_ops": FLOOR,
    "approve_counts": MANAGERS,
    "inspect_goods": MANAGERS,
    "purchasing": MANAGERS,
    "reports": MANAGERS,
    "mailings": MANAGERS,
    "import_export": MANAGERS,
}


def can(user: User, capability: str) -> bool:
    return not user.blocked and Role(user.role) in CAPABILITIES[capability]


def require(user: User, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(N_("Your role ({role}) can't do that."), role=user.role)
