"""The app's cached loaders: the store, what every page asks it, and classified releases.

Every cached loader's key starts with the database file and a version that changes whenever its
result could (built here, never by hand):

* :func:`page_key`: the releases and the municipality in view (:func:`data_version`): for
  results shown for the municipality in view;
* :func:`releases_key`: the releases only: for results that take the municipality as an argument;
* :func:`write_key`: any write to the database (:attr:`Store.generation`): for results that
  depend on more than the releases (rule sets, follow-up data, boundaries).

How the other arguments are hashed (rule sets by content …) is :data:`ui.cache.HASH_FUNCS`.
The municipality in view is decided here too, because every page cache is keyed on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from trappetrin.bootstrap import open_with_demo
from trappetrin.colours import ReleaseResult
from trappetrin.engine import classify
from trappetrin.errors import UserError
from trappetrin.imports import partial_releases
from trappetrin.rules import RuleSet
from trappetrin.scenario import content_fingerprint
from trappetrin.store import DEFAULT_MUNICIPALITY, ReleaseData, Store, open_store
from ui.cache import HASH_FUNCS
from ui.session import kept
from ui.url import ALL_MUNICIPALITIES, MUNICIPALITY_KEY

# --- the store ------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Åbner databasen …")
def get_store(path: str | None = None) -> Store:
    """The process-wide store; builds the demo database on first run, when the file is new.

    An existing database that has no releases stays empty, so the app can explain that state.
    Commands of ``python -m trappetrin`` may use the file while the app runs: the store steps
    aside for them (see ``trappetrin/handover.py``).
    """
    from trappetrin.config import db_path

    is_new = not (Path(path) if path else db_path()).exists()
    opened = open_with_demo(path) if is_new else open_store(path)
    opened.serve_commands()
    return opened


def store() -> Store:
    return get_store(os.environ.get("TRAPPETRIN_DB"))


@dataclass(frozen=True)
class StoreFacts:
    """What every page run asks the store: read once per write to the database, not per run."""

    releases: list[str]  # labels, oldest first
    releases_version: str  # changes whenever a release is added or removed
    adopted: RuleSet
    choices: list[str]  # department-scope rule sets as name@version, newest version per name first
    fingerprints: dict[str, str]  # choice → content fingerprint (a scenario equal to a stored rule set)
    is_demo: bool
    partial: dict[str, list[str]] = field(default_factory=dict)  # release → indicators it lacks (delvis)


def rule_set_choices(s: Store) -> list[str]:
    """Department-scope rule sets as ``name@version`` strings, newest version per name first."""
    idx = s.rule_set_index()
    return [f"{r.name}@{r.version}" for r in idx.sort_values(["name", "version"], ascending=[True, False]).itertuples()]


def parse_choice(choice: str) -> tuple[str, int]:
    name, _, version = choice.rpartition("@")
    return name, int(version)


@st.cache_resource(max_entries=4, show_spinner=False)
def _facts(db: str, generation: int) -> StoreFacts:
    s = store()
    stored = {}
    for c in rule_set_choices(s):
        try:
            stored[c] = s.rule_set(*parse_choice(c))
        except UserError:  # e.g. a restored rule set below the agreement's discretion limit: not offered
            continue
    choices = [c for c, rules in stored.items() if rules.scope == "afdeling"]
    return StoreFacts(
        releases=s.release_labels(),
        releases_version=s.releases_version(),
        adopted=s.adopted_rule_set(),
        choices=choices,
        fingerprints={c: content_fingerprint(stored[c]) for c in choices},
        is_demo=s.is_demo,
        partial=partial_releases(s, s.adopted_rule_set()),
    )


def facts() -> StoreFacts:
    """The store's releases, adopted rule set, rule-set choices and demo flag, cached until the next write.

    Keyed on :attr:`Store.generation`: a page run costs no query and no rule-set parsing for these
    (they cost ~30 ms per run before).
    """
    return _facts(*write_key())


@st.cache_resource(max_entries=64, show_spinner=False)
def _rule_set(db: str, generation: int, name: str, version: int | None) -> RuleSet:
    return store().rule_set(name, version)  # a RuleSet is immutable, so one object serves every session


def stored_rule_set(choice: str) -> RuleSet:
    """A stored rule set by ``name@version``, cached until the next write to the database."""
    return _rule_set(*write_key(), *parse_choice(choice))


# --- the keys -------------------------------------------------------------------------------------


def releases_version() -> str:
    """Changes whenever a release is added or removed."""
    return facts().releases_version


def data_version() -> str:
    """Changes whenever releases are added or removed, or another municipality is picked.

    Every page cache is keyed on it, so cached results are never stale and never another
    municipality's.
    """
    version = releases_version()
    return f"{version}|{_municipality(version) or ALL_MUNICIPALITIES}"


def page_key(version: str | None = None) -> tuple[str, str]:
    """The key every page cache starts with: the database file and :func:`data_version`.

    Cached loaders take these two as their first arguments (``_loader(*page_key(), ...)``), so a
    result is never stale and never another database's or municipality's. ``version``: the data
    version when the caller already has it.
    """
    return str(store().path), version or data_version()


def releases_key() -> tuple[str, str]:
    """The database file and :func:`releases_version`: for loaders given the municipality as an argument."""
    return str(store().path), releases_version()


def write_key() -> tuple[str, int]:
    """The database file and its :attr:`Store.generation`: renewed by any write to the database."""
    s = store()
    return str(s.path), s.generation


# --- the municipality in view ---------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _municipality_list(db: str, version: str) -> list[str]:
    return store().municipalities()["municipality"].tolist()


def municipalities() -> list[str]:
    """The municipalities that have departments, by name."""
    return _municipality_list(*releases_key())


def default_municipality(names: list[str]) -> str | None:
    """Aalborg when the data hold it and others; None (no filter) when there is only one."""
    if len(names) <= 1:
        return None
    return DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in names else None


def _municipality(version: str) -> str | None:
    names = _municipality_list(str(store().path), version)
    try:
        chosen = kept(MUNICIPALITY_KEY)
    except Exception:  # outside a session (e.g. a warm-up thread): the default
        chosen = None
    if chosen == ALL_MUNICIPALITIES:
        return None
    if chosen in names and len(names) > 1:
        return chosen
    return default_municipality(names)


def municipality() -> str | None:
    """The municipality in view; None for every department (one municipality, or the whole country)."""
    return _municipality(releases_version())


def place_name() -> str | None:
    """The municipality in view by name: the one picked, or the only one in the data.

    None for the whole country (several municipalities, none picked). With no data at all, the
    agreement's own municipality (Aalborg).
    """
    names = municipalities()
    chosen = municipality()
    if chosen is not None:
        return chosen
    if len(names) == 1:
        return names[0]
    return None if names else DEFAULT_MUNICIPALITY


# --- releases, classified -------------------------------------------------------------------------


@st.cache_resource(max_entries=64, show_spinner=False)
def _release_data(db: str, version: str, label: str, municipality: str | None = None) -> ReleaseData:
    return store().release_data(label, municipality)


def release_data_for(label: str, municipality: str | None) -> ReleaseData:
    """One release for ``municipality`` (None: every department), whatever municipality is in view."""
    return _release_data(*releases_key(), label, municipality)


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=HASH_FUNCS)
def _classified(db: str, version: str, label: str, rules: RuleSet, municipality: str | None = None) -> ReleaseResult:
    data = _release_data(db, version, label, municipality)
    return ReleaseResult(data, classify(data.frame, rules, data.refs))


def classified_for(label: str, rules: RuleSet, municipality: str | None) -> ReleaseResult:
    """One release classified under one rule set for ``municipality`` (None: every department)."""
    return _classified(*releases_key(), label, rules, municipality)


def classified(label: str, rules: RuleSet) -> ReleaseResult:
    """One release classified under one rule set for the municipality in view.

    Cached on (release, rule-set content, municipality).
    """
    version = releases_version()
    return _classified(str(store().path), version, label, rules, _municipality(version))


def forget_releases() -> None:
    """Drop the cached releases and classifications (after a write their key does not see, e.g. the register)."""
    _release_data.clear()
    _classified.clear()


@st.cache_data(show_spinner=False, hash_funcs=HASH_FUNCS, max_entries=16)
def _colour_history(db: str, version: str, labels: tuple[str, ...], rules: RuleSet):
    from trappetrin import trends

    results = {label: classified(label, rules) for label in labels}
    return trends.colour_history(store(), rules, results=results)


def colour_history(labels: list[str] | tuple[str, ...], rules: RuleSet):
    """Each department's colour in each of ``labels`` under ``rules`` (Afdeling and Udvikling share it).

    A ``pandas.DataFrame`` from ``trappetrin.trends.colour_history``; each release is classified
    once, through :func:`classified`.
    """
    return _colour_history(*page_key(), tuple(labels), rules)


# --- geometry imported into the store --------------------------------------------------------------


def stored_boundary() -> dict | None:
    """The municipality boundary imported into the store (GeoJSON, EPSG:4326), cached on its checksums."""
    s = store()
    key = s.boundary_version()
    return _stored_boundary(str(s.path), key) if key else None


@st.cache_data(max_entries=4, show_spinner=False)
def _stored_boundary(db: str, key: str) -> dict | None:
    return store().boundary_geojson()


def stored_footprints():
    """Department polygons imported into the store (dept_id, geojson), or None; cached on their checksums."""
    s = store()
    key = s.scalar(
        "SELECT coalesce(string_agg(coalesce(checksum, geom_id), ',' ORDER BY geom_id), '') "
        "FROM geometries WHERE kind = 'afdeling'"
    )
    return _stored_footprints(str(s.path), key) if key else None


@st.cache_data(max_entries=4, show_spinner=False)
def _stored_footprints(db: str, key: str):
    return store().geometries("afdeling")[["dept_id", "geojson"]]
