"""Roles and permissions: the domain-layer check every write action makes."""

from __future__ import annotations

import pytest

from trappetrin.auth import PERMISSIONS, Actor, require
from trappetrin.errors import UserError


def test_roles_nest_viewer_in_analyst_in_admin():
    assert PERMISSIONS["viewer"] < PERMISSIONS["analyst"] < PERMISSIONS["admin"]


@pytest.mark.parametrize(("role", "permission", "allowed"), [
    ("viewer", "view", True), ("viewer", "export", False), ("viewer", "import", False),
    ("analyst", "scenario", True), ("analyst", "export", True), ("analyst", "adopt_rule_set", False),
    ("analyst", "restore", False), ("admin", "restore", True), ("admin", "import", True),
])
def test_require_grants_and_refuses_by_role(role, permission, allowed):
    actor = Actor("Ane", role, "ane@aalborg.dk")
    if allowed:
        assert require(actor, permission) is actor
    else:
        with pytest.raises(UserError, match="ane@aalborg.dk har rollen .* og må ikke"):
            require(actor, permission)


def test_no_actor_and_unknown_names_are_refused():
    with pytest.raises(UserError, match="logget ind"):
        require(None, "view")
    with pytest.raises(ValueError):
        Actor("x", "superuser")
    with pytest.raises(ValueError):
        Actor("x", "admin").can("fly")
