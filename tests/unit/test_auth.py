"""Roles and permissions: the domain-layer check every write action makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from trappetrin.auth import (
    PERMISSIONS,
    ROLES_ENV,
    Actor,
    RoleConfig,
    actor_from_claims,
    load_roles,
    parse_roles,
    require,
    roles_path,
)
from trappetrin.errors import UserError


def test_roles_nest_viewer_in_analyst_in_admin():
    assert PERMISSIONS["viewer"] < PERMISSIONS["analyst"] < PERMISSIONS["admin"]


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        ("viewer", "view", True),
        ("viewer", "export", False),
        ("viewer", "import", False),
        ("analyst", "scenario", True),
        ("analyst", "export", True),
        ("analyst", "adopt_rule_set", False),
        ("analyst", "restore", False),
        ("admin", "restore", True),
        ("admin", "import", True),
    ],
)
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


# --- the roles file ------------------------------------------------------------------------------

ROLES = """
default = "viewer"
[users]
"Chef@Aalborg.dk" = "admin"
"nedsat@vivabolig.dk" = "viewer"
[domains]
"aalborg.dk" = "analyst"
"@vivabolig.dk" = "analyst"
[groups]
"grp-admins" = "admin"
"""


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("chef@aalborg.dk", [], "admin"),  # listed e-mail, case-insensitive
        ("CHEF@AALBORG.DK", [], "admin"),
        ("ana@aalborg.dk", [], "analyst"),  # by domain
        ("ana@sub.aalborg.dk", [], "viewer"),  # domains match exactly, so only the default
        ("ana@aalborg.dk.evil.com", [], "viewer"),
        ("nedsat@vivabolig.dk", ["grp-admins"], "viewer"),  # a listed e-mail decides alone, even downwards
        ("bo@vivabolig.dk", ["grp-admins"], "admin"),  # the highest of group and domain
        ("bo@example.com", [], "viewer"),
    ],
)
def test_roles_resolve_by_email_then_group_and_domain_then_default(email, groups, role):
    assert parse_roles(ROLES).role_for(email, groups) == role


def test_without_default_unknown_users_get_no_role_and_no_actor():
    config = parse_roles('[domains]\n"aalborg.dk" = "viewer"\n')
    assert config.role_for("x@example.com") is None
    assert actor_from_claims({"email": "x@example.com", "is_logged_in": True}, config) is None
    ane = actor_from_claims({"email": "Ane@Aalborg.dk", "name": "Ane", "is_logged_in": True}, config)
    assert ane == Actor("Ane", "viewer", "ane@aalborg.dk")
    # Entra ID may send the sign-in name instead of an e-mail claim; an unverified e-mail is refused.
    assert actor_from_claims({"preferred_username": "bo@aalborg.dk"}, config).role == "viewer"
    assert actor_from_claims({"email": "bo@aalborg.dk", "email_verified": False}, config) is None
    assert actor_from_claims({"name": "no e-mail"}, config) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[users]\n"a@b.dk" = "superuser"\n', "users.a@b.dk har rollen 'superuser'"),
        ('default = "root"\n', "default har rollen 'root'"),
        ('[people]\n"a@b.dk" = "admin"\n', "ukendte nøgler people"),
        ('users = "admin"\n', r"\[users\] skal være en tabel"),
        ("[users\n", "kan ikke læses"),
    ],
)
def test_bad_roles_files_are_refused_with_a_danish_message(text, message):
    with pytest.raises(UserError, match=message):
        parse_roles(text)


def test_roles_file_location_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.delenv(ROLES_ENV, raising=False)
    assert roles_path().parts[-2:] == (".streamlit", "roles.toml")
    monkeypatch.setenv(ROLES_ENV, str(tmp_path / "roller.toml"))
    assert roles_path() == tmp_path / "roller.toml"
    assert load_roles() == RoleConfig()  # no file: nobody has a role
    (tmp_path / "roller.toml").write_text('[users]\n"a@b.dk" = "analyst"\n', encoding="utf-8")
    assert load_roles().users == {"a@b.dk": "analyst"}


def test_example_roles_file_is_valid_and_both_files_are_ignored_by_git():
    root = Path(__file__).resolve().parents[2]
    example = load_roles(root / "data" / "roles.toml.example")
    assert example.default is None and set(example.users.values()) <= {"viewer", "analyst", "admin"}
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored and ".streamlit/roles.toml" in ignored
