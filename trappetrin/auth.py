"""Who may do what: roles, permissions and the check every write action makes.

The UI hides what a role may not use, but the rule is enforced here, in the domain layer: each
write function takes the acting :class:`Actor` and calls :func:`require` before touching the
store, so a viewer calling a write function directly is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UserError

#: Role → the permissions it grants. admin ⊃ analyst ⊃ viewer.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "analyst": frozenset({"view", "scenario", "save_rule_set", "export"}),
    "admin": frozenset({"view", "scenario", "save_rule_set", "export", "import", "delete_release",
                        "adopt_rule_set", "backup", "restore", "audit"}),
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
        raise UserError(f"{actor.label} har rollen {ROLE_LABELS[actor.role]} og må ikke "
                        f"{PERMISSION_LABELS[permission]}.")
    return actor


def local_actor(name: str | None = None) -> Actor:
    """The user of a local installation without login: may do everything (the banner says so)."""
    import getpass

    try:
        who = name or getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        who = "lokal bruger"
    return Actor(name=who, role="admin")
