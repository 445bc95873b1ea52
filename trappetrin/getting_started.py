"""The order a new database is filled in: register first, then releases, then the ministry's lists.

Every file but the register points at departments, so the register must come first; a values
release makes the database classifiable; the ministry's lists make departments in listed areas
red. :func:`steps` says which of the three a database has, for the empty-state guidance on every
page and on the Data page, and :func:`require_register` is the one message an import gets when
it needs departments and the register is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import formatting
from .errors import UserError
from .store import Store

#: The imports whose rows name departments of the register (import kinds, and department polygons).
NEEDS_REGISTER = {
    "afdelingsdata": "Afdelingsdata",
    "ministerliste": "Ministeriets lister",
    "afdelingspolygoner": "Afdelingspolygoner",
}


@dataclass(frozen=True)
class Step:
    """One step of filling a new database."""

    number: int
    kind: str  # the import kind (``imports.KINDS``)
    title: str
    what: str
    template: str  # file name under data/templates/
    done: bool
    status: str  # what the database holds now, in Danish


def steps(store: Store) -> list[Step]:
    """The three steps in their order, each with whether the database has it yet."""
    departments = int(store.scalar("SELECT count(*) FROM departments") or 0)
    releases = store.releases()
    with_values = releases[releases["n_values"] > 0]
    years = store.list_years()
    return [
        Step(
            1,
            "stamdata",
            "Afdelingsregistret (stamdata)",
            "Hvilke afdelinger der findes: id, navn, boligorganisation, boliger og beliggenhed. "
            "Det skal indlæses først – alle andre filer henviser til afdelingerne i det.",
            "stamdata.csv",
            departments > 0,
            f"{formatting.integer(departments)} afdelinger i registret" if departments else "ikke indlæst endnu",
        ),
        Step(
            2,
            "afdelingsdata",
            "Afdelingsdata (udgivelser)",
            "Indikatorerne for én udgivelse, fx fra Tvillingeværktøjet eller Beboerdata: én række pr. afdeling.",
            "afdelingsdata.csv",
            not with_values.empty,
            _releases_status(with_values["label"].tolist()),
        ),
        Step(
            3,
            "ministerliste",
            "Ministeriets lister",
            "Boligområderne på ministeriets lister pr. 1. december; afdelinger i et listet område bliver røde.",
            "ministerliste.csv",
            bool(years),
            f"listeår {', '.join(str(y) for y in years)}" if years else "ingen lister endnu",
        ),
    ]


def _releases_status(labels: list[str]) -> str:
    if not labels:
        return "ingen udgivelser endnu"
    noun = "udgivelse" if len(labels) == 1 else "udgivelser"
    return f"{formatting.integer(len(labels))} {noun} med tal, senest {labels[-1]}"


def next_step(store: Store) -> Step | None:
    """The first step not done yet; None when all three are."""
    return next((s for s in steps(store) if not s.done), None)


def require_register(store: Store, kind: str, file_name: str | None = None) -> None:
    """Refuse an import that names departments while the register is empty: one message, not one per row."""
    if kind not in NEEDS_REGISTER or store.scalar("SELECT count(*) FROM departments"):
        return
    what = NEEDS_REGISTER[kind]
    where = f"{file_name}: " if file_name else ""
    raise UserError(
        f"{where}Afdelingsregistret er tomt, så ingen af filens afdelinger kan genkendes. {what} kan først "
        "indlæses, når registret er på plads: indlæs afdelingsregistret (stamdata, skabelonen stamdata.csv) "
        "først, derefter udgivelser med afdelingsdata og til sidst ministeriets lister. Intet er gemt."
    )


__all__ = ["NEEDS_REGISTER", "Step", "next_step", "require_register", "steps"]
