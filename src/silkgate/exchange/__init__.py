"""The data-circulation platform: accounts and permissions (catalog, orders, billing to come)."""

from silkgate.exchange._accounts import (
    ROLES,
    Accounts,
    IssuedToken,
    Principal,
    Role,
    parse_roles,
    require_role,
)

__all__ = ["ROLES", "Accounts", "IssuedToken", "Principal", "Role", "parse_roles", "require_role"]
