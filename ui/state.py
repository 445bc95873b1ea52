"""Streamlit glue shared by every page: the cached store and loaders, and the page context.

The *context* is what every page works on: the release in view, the rule set in view (the
adopted one unless the user picked another) and the scenario overrides on top of it. Release,
rule set and overrides live in the URL's query parameters, so every view can be shared as a link
and survives switching pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass

import streamlit as st

from trappetrin.colours import ReleaseResult, classify_release
from trappetrin.engine import Classification, classify
from trappetrin.errors import UserError
from trappetrin.rules import RuleSet
from trappetrin.scenario import URL_PREFIX, from_query
from trappetrin.store import ReleaseData, Store, open_store

RELEASE_KEY = "udgivelse"
RULES_KEY = "regelsaet"
_HASH = {RuleSet: lambda rs: rs.fingerprint()}


@st.cache_resource(show_spinner="Åbner databasen …")
def get_store(path: str | None = None) -> Store:
    """The process-wide store; builds the demo database on first run, when the file is new.

    An existing database that has no releases stays empty, so the app can explain that state.
    """
    from trappetrin.config import db_path

    is_new = not (Path(path) if path else db_path()).exists()
    return open_store(path, demo_if_empty=is_new)


def store() -> Store:
    return get_store(os.environ.get("TRAPPETRIN_DB"))


def data_version() -> str:
    """Changes whenever releases are added or removed, so cached results are never stale."""
    s = store()
    return str(s.scalar("SELECT count(*) || ':' || coalesce(max(release_id), 0) FROM releases"))


@st.cache_resource(max_entries=64, show_spinner=False)
def _release_data(db: str, version: str, label: str) -> ReleaseData:
    return store().release_data(label)


def release_data(label: str) -> ReleaseData:
    return _release_data(str(store().path), data_version(), label)


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=_HASH)
def _classified(db: str, version: str, label: str, rules: RuleSet) -> ReleaseResult:
    data = _release_data(db, version, label)
    return ReleaseResult(data, classify(data.frame, rules, data.refs))


def classified(label: str, rules: RuleSet) -> ReleaseResult:
    """One release classified under one rule set, cached on (release, rule-set content)."""
    return _classified(str(store().path), data_version(), label, rules)


@st.cache_data(show_spinner=False)
def _rule_set_toml(db: str, name: str, version: int | None) -> str:
    return store().rule_set(name, version).to_toml()


@dataclass(frozen=True)
class Context:
    """What a page shows: the store, the release, the base rule set and the scenario on top."""

    store: Store
    release: str | None
    releases: list[str]
    base: RuleSet  # the stored rule set in view (adopted by default)
    adopted: RuleSet
    rules: RuleSet  # base + scenario overrides: what the colours on screen come from
    overrides: dict[str, float]
    is_demo: bool

    @property
    def has_scenario(self) -> bool:
        return bool(self.overrides)

    def result(self, rules: RuleSet | None = None, release: str | None = None) -> ReleaseResult:
        return classified(release or self.release, rules or self.rules)

    @property
    def rules_label(self) -> str:
        label = f"{self.base.name} v{self.base.version}"
        return label + " + scenarie" if self.has_scenario else label


def rule_set_choices(s: Store) -> list[str]:
    """Department-scope rule sets as ``name@version`` strings, newest version per name first."""
    idx = s.rule_set_index()
    return [f"{r.name}@{r.version}" for r in idx.sort_values(["name", "version"], ascending=[True, False]).itertuples()]


def parse_choice(choice: str) -> tuple[str, int]:
    name, _, version = choice.rpartition("@")
    return name, int(version)


def context(*, sidebar: bool = True) -> Context:
    """Build the page context and (by default) draw the shared sidebar: demo notice and pickers."""
    s = store()
    releases = s.release_labels()
    adopted = s.adopted_rule_set()
    choices = [c for c in rule_set_choices(s) if _scope(s, c) == "afdeling"]
    adopted_choice = f"{adopted.name}@{adopted.version}"
    if st.query_params.get(RULES_KEY) not in choices:
        st.query_params.pop(RULES_KEY, None)
    release_param = st.query_params.get(RELEASE_KEY)
    if release_param is not None and release_param not in releases:
        st.query_params.pop(RELEASE_KEY, None)

    if sidebar:
        with st.sidebar:
            st.markdown("**Trappetrin** · Fælles udlejningsaftale, Aalborg")
            if s.is_demo:
                st.warning("**Demodata** – fiktive afdelinger og tal. Ikke den fortrolige monitoreringsliste.",
                           icon=":material/science:")
            if releases:
                st.selectbox("Udgivelse", releases[::-1], key=RELEASE_KEY, bind="query-params",
                             help="Dataudgivelsen der vises. Standard er den nyeste.")
                st.selectbox("Regelsæt", choices, index=choices.index(adopted_choice), key=RULES_KEY,
                             bind="query-params",
                             format_func=lambda c: _choice_label(c, adopted_choice),
                             help="Regelsættet farverne beregnes efter. Standard er det vedtagne.")
    release = st.session_state.get(RELEASE_KEY) or (releases[-1] if releases else None)
    choice = st.session_state.get(RULES_KEY) or st.query_params.get(RULES_KEY) or adopted_choice
    name, version = parse_choice(choice)
    base = RuleSet.model_validate(_toml_dict(_rule_set_toml(str(s.path), name, version)))
    overrides = _overrides(base)
    rules = base.with_overrides(overrides) if overrides else base
    if sidebar and overrides:
        with st.sidebar:
            st.info(f"Scenarie aktivt: {len(overrides)} ændrede parametre i forhold til {base.name} v{base.version}.",
                    icon=":material/tune:")
    return Context(s, release, releases, base, adopted, rules, overrides, s.is_demo)


def _choice_label(choice: str, adopted_choice: str) -> str:
    name, version = parse_choice(choice)
    return f"{name} (v{version})" + (" – vedtaget" if choice == adopted_choice else "")


@st.cache_data(show_spinner=False)
def _scope_cached(db: str, choice: str) -> str:
    name, version = parse_choice(choice)
    return store().rule_set(name, version).scope


def _scope(s: Store, choice: str) -> str:
    return _scope_cached(str(s.path), choice)


def _toml_dict(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def _overrides(base: RuleSet) -> dict[str, float]:
    """Scenario overrides from the URL; a link that does not fit the rule set is reported once."""
    query = {k: st.query_params.get(k) for k in st.query_params.keys() if k.startswith(URL_PREFIX)}
    try:
        overrides = from_query(base, query)
    except UserError as exc:
        st.warning(str(exc), icon=":material/link_off:")
        return {}
    current = base.parameter_values()
    return {k: v for k, v in overrides.items() if current[k] != v}


DEPARTMENT_KEY = "afd"


def go_to_department(dept_id: str) -> None:
    """Open the Afdeling page for one department, keeping release, rule set and scenario."""
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    params[DEPARTMENT_KEY] = dept_id
    st.switch_page("pages/afdeling.py", query_params=params)


def no_data_notice() -> None:
    """The empty state when no release has been imported."""
    st.info(
        "Der er endnu ingen data i databasen. Indlæs en udgivelse på siden **Data**, "
        "eller byg demodatabasen med `python -m trappetrin demo`.",
        icon=":material/database:",
    )


def demo_caption(ctx: Context) -> None:
    """One line under a page title saying which data, release and rule set are in view."""
    who = "Demodata (fiktive afdelinger)" if ctx.is_demo else "Data"
    st.caption(f"{who} · udgivelse {ctx.release} · regelsæt {ctx.rules_label}")


def classification(ctx: Context) -> Classification:
    return ctx.result().result
