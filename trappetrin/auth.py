"""Who may do what: roles, permissions and the check every write action makes.

The UI hides what a role may not use, but the rule is enforced here, in the domain layer: each
write function takes the acting :class:`Actor` and calls :func:`require` before touching the
store, so a viewer calling a write function directly is refused too.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

#: Role → the permissions it grants. admin ⊃ analyst ⊃ viewer.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "analyst": frozenset({"view", "scenario", "save_rule_set", "export"}),
    "admin": frozenset(
        {
            "view",
            "scenario",
            "save_rule_set",
            "export",
            "import",
            "delete_release",
            "adopt_rule_set",
            "backup",
            "restore",
            "audit",
        }
    ),
}

ROLE_LABELS = {"viewer": "læser", "analyst": "analytiker", "admin": "administrator"}

PERMISSION_LABELS = {
    "view": "se farvelisten, kortet og udviklingen",
    "scenario": "prøve scenarier",
    "save_rule_set": "gemme regelsæt",
    "export": "eksportere",
    "import": "indlæse data",
    "delete_release": "slette udgivelser",
    "adopt_rule_set": "vedtage regelsæt",
    "backup": "tage sikkerhedskopier",
    "restore": "gendanne sikkerhedskopier",
    "audit": "se revisionssporet",
}


@dataclass(frozen=True)
class Actor:
    """The person acting: a display name (recorded in the audit trail), e-mail and role."""

    name: str
    role: str
    email: str | None = None

    def __post_init__(self) -> None:
        if self.role not in PERMISSIONS:
            raise ValueError(f"unknown role {self.role!r}; known: {sorted(PERMISSIONS)}")

    @property
    def label(self) -> str:
        """Who, as the audit trail records it: the e-mail when known, else the name."""
        return self.email or self.name

    def can(self, permission: str) -> bool:
        if permission not in PERMISSION_LABELS:
            raise ValueError(f"unknown permission {permission!r}")
        return permission in PERMISSIONS[self.role]


def require(actor: Actor | None, permission: str) -> Actor:
    """Return ``actor`` when it may use ``permission``; otherwise refuse with a Danish message."""
    if actor is None:
        raise UserError(f"Du skal være logget ind for at {PERMISSION_LABELS[permission]}.")
    if not actor.can(permission):
        raise UserError(
            f"{actor.label} har rollen {ROLE_LABELS[actor.role]} og må ikke {PERMISSION_LABELS[permission]}."
        )
    return actor


def local_actor(name: str | None = None) -> Actor:
    """The user of a local installation without login: may do everything (the banner says so)."""
    import getpass

    try:
        who = name or getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        who = "lokal bruger"
    return Actor(name=who, role="admin")


# --- the roles file ---------------------------------------------------------------------------

#: Environment variable naming the roles file; default ``.streamlit/roles.toml`` (ignored by git).
ROLES_ENV = "TRAPPETRIN_ROLES"
DEFAULT_ROLES_FILE = Path(__file__).resolve().parent.parent / ".streamlit" / "roles.toml"
_RANK = {"viewer": 1, "analyst": 2, "admin": 3}


def roles_path() -> Path:
    """The roles file in use: ``$TRAPPETRIN_ROLES`` or ``.streamlit/roles.toml``."""
    value = os.environ.get(ROLES_ENV)
    return Path(value) if value else DEFAULT_ROLES_FILE


@dataclass(frozen=True)
class RoleConfig:
    """Who gets which role, from the roles file (see ``data/roles.toml.example``).

    ``users`` maps e-mail → role and decides alone when it names the user (so it can also lower
    a role a domain or group would give). Otherwise the user gets the highest role among the
    matching ``groups`` (IdP group ids/names in the ``groups`` claim) and ``domains`` (the part
    after ``@``, exact match), else ``default`` (None: no access).
    """

    users: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def role_for(self, email: str | None, groups: list[str] | tuple[str, ...] = ()) -> str | None:
        """The role of a logged-in user with this e-mail and these groups, or None (no access)."""
        address = (email or "").strip().lower()
        if address in self.users:
            return self.users[address]
        found = [self.groups[g] for g in groups if g in self.groups]
        _, at, domain = address.rpartition("@")
        if at and domain in self.domains:
            found.append(self.domains[domain])
        if found:
            return max(found, key=_RANK.__getitem__)
        return self.default


def parse_roles(text: str, *, source: str = "rollefilen") -> RoleConfig:
    """Read a roles file's text; unknown roles or keys are refused with a Danish message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source} kan ikke læses: {exc}") from None
    unknown = set(data) - {"default", "users", "domains", "groups"}
    if unknown:
        raise UserError(
            f"{source}: ukendte nøgler {', '.join(sorted(unknown))}. Brug default, [users], [domains] og [groups]."
        )

    def role(value: object, where: str) -> str:
        if value not in PERMISSIONS:
            raise UserError(f"{source}: {where} har rollen {value!r}; mulige roller er {', '.join(PERMISSIONS)}.")
        return str(value)

    def table(key: str, *, lower: bool) -> dict[str, str]:
        raw = data.get(key, {})
        if not isinstance(raw, dict):
            raise UserError(f'{source}: [{key}] skal være en tabel af navn = "rolle".')
        out = {}
        for name, value in raw.items():
            clean = name.strip().lower().lstrip("@") if lower else name.strip()
            out[clean] = role(value, f"{key}.{name}")
        return out

    default = data.get("default")
    return RoleConfig(
        users=table("users", lower=True),
        domains=table("domains", lower=True),
        groups=table("groups", lower=False),
        default=None if default in (None, "", "none") else role(default, "default"),
    )


def load_roles(path: Path | None = None) -> RoleConfig:
    """The role configuration from ``path`` (default :func:`roles_path`); no file → nobody has a role."""
    path = path or roles_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return RoleConfig()
    return parse_roles(text, source=f"Rollefilen {path}")


def actor_from_claims(claims: dict, config: RoleConfig) -> Actor | None:
    """The :class:`Actor` for an identity token's claims, or None when the user has no role.

    The e-mail is the ``email`` claim, else ``preferred_username`` (Entra ID's sign-in name).
    An e-mail the provider marks unverified (``email_verified`` false) gets no role.
    """
    email = claims.get("email") or claims.get("preferred_username")
    if not email or claims.get("email_verified") is False:
        return None
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    role = config.role_for(str(email), [str(g) for g in groups])
    if role is None:
        return None
    return Actor(name=str(claims.get("name") or email), role=role, email=str(email).strip().lower())
