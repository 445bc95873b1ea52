"""Streamlit glue shared by every page: the cached store and loaders, and the page context.

The *context* is what every page works on: the release in view, the rule set in view (the
adopted one unless the user picked another) and the scenario overrides on top of it. Release,
rule set and overrides live in the URL's query parameters, so every view can be shared as a link
and survives switching pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import streamlit as st

from trappetrin.colours import ReleaseResult
from trappetrin.engine import Classification, classify
from trappetrin.errors import UserError
from trappetrin.imports import partial_releases
from trappetrin.rules import RuleSet
from trappetrin.scenario import URL_PREFIX, content_fingerprint, from_query, url_number
from trappetrin.store import DEFAULT_MUNICIPALITY, ReleaseData, Store, open_store
from ui import fmt
from ui.auth import current_actor  # pages and ui modules take it from here too
from ui.cache import HASH_FUNCS
from ui.router import ensure_router

RELEASE_KEY = "udgivelse"
RULES_KEY = "regelsaet"
MUNICIPALITY_KEY = "kommune"
ALL_MUNICIPALITIES = "alle"  # the selector's (and the URL's) value for the whole country


@st.cache_resource(show_spinner="Åbner databasen …")
def get_store(path: str | None = None) -> Store:
    """The process-wide store; builds the demo database on first run, when the file is new.

    An existing database that has no releases stays empty, so the app can explain that state.
    Commands of ``python -m trappetrin`` may use the file while the app runs: the store steps
    aside for them (see ``trappetrin/handover.py``).
    """
    from trappetrin.config import db_path

    is_new = not (Path(path) if path else db_path()).exists()
    opened = open_store(path, demo_if_empty=is_new)
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
    s = store()
    return _facts(str(s.path), s.generation)


def _releases_version() -> str:
    return facts().releases_version


def data_version() -> str:
    """Changes whenever releases are added or removed, or another municipality is picked.

    Every page cache is keyed on it, so cached results are never stale and never another
    municipality's.
    """
    version = _releases_version()
    return f"{version}|{_municipality(version) or ALL_MUNICIPALITIES}"


def page_key(version: str | None = None) -> tuple[str, str]:
    """The key every page cache starts with: the database file and :func:`data_version`.

    Cached loaders take these two as their first arguments (``_loader(*page_key(), ...)``), so a
    result is never stale and never another database's or municipality's. ``version``: the data
    version when the caller already has it.
    """
    return str(store().path), version or data_version()


@st.cache_data(show_spinner=False, max_entries=16)
def _municipality_list(db: str, version: str) -> list[str]:
    return store().municipalities()["municipality"].tolist()


def municipalities() -> list[str]:
    """The municipalities that have departments, by name."""
    return _municipality_list(str(store().path), _releases_version())


def default_municipality(names: list[str]) -> str | None:
    """Aalborg when the data hold it and others; None (no filter) when there is only one."""
    if len(names) <= 1:
        return None
    return DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in names else None


def _municipality(version: str) -> str | None:
    names = _municipality_list(str(store().path), version)
    try:
        chosen = _view().get(MUNICIPALITY_KEY)
    except Exception:  # outside a session (e.g. a warm-up thread): the default
        chosen = None
    if chosen == ALL_MUNICIPALITIES:
        return None
    if chosen in names and len(names) > 1:
        return chosen
    return default_municipality(names)


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


def sidebar_title(place: str | None) -> str:
    """The sidebar's first line: the product and the municipality in view (Markdown, name escaped)."""
    if place == DEFAULT_MUNICIPALITY:
        return f"**Trappetrin** · Fælles udlejningsaftale, {DEFAULT_MUNICIPALITY}"
    if place is None:
        return "**Trappetrin** · Hele landet"
    return f"**Trappetrin** · {fmt.plain(place)} Kommune"


def municipality() -> str | None:
    """The municipality in view; None for every department (one municipality, or the whole country)."""
    return _municipality(_releases_version())


@st.cache_resource(max_entries=64, show_spinner=False)
def _release_data(db: str, version: str, label: str, municipality: str | None = None) -> ReleaseData:
    return store().release_data(label, municipality)


def release_data_for(label: str, municipality: str | None) -> ReleaseData:
    """One release for ``municipality`` (None: every department), whatever municipality is in view."""
    return _release_data(str(store().path), _releases_version(), label, municipality)


def release_data(label: str) -> ReleaseData:
    """One release resolved as of its date, for the municipality in view."""
    version = _releases_version()
    return _release_data(str(store().path), version, label, _municipality(version))


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=HASH_FUNCS)
def _classified(db: str, version: str, label: str, rules: RuleSet, municipality: str | None = None) -> ReleaseResult:
    data = _release_data(db, version, label, municipality)
    return ReleaseResult(data, classify(data.frame, rules, data.refs))


def classified(label: str, rules: RuleSet) -> ReleaseResult:
    """One release classified under one rule set for the municipality in view.

    Cached on (release, rule-set content, municipality).
    """
    version = _releases_version()
    return _classified(str(store().path), version, label, rules, _municipality(version))


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


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=HASH_FUNCS)
def _overview(
    db: str,
    generation: int,
    version: str,
    boundary_file: tuple | None,
    label: str,
    rules: RuleSet,
    basemap: bool,
    only: frozenset | None,
    refit: int,
    _res: ReleaseResult,
):
    from trappetrin import geo
    from trappetrin.colours import colour_list, red_and_yellow
    from ui.mapview import deck, national_deck

    only_set = None if only is None else set(only)
    frame = _res.data.frame
    place = geo.municipality_of(frame if only_set is None else frame.loc[frame.index.isin(only_set)])
    if place is None:  # the whole country: a mark per municipality, not 8,000 points
        chart = national_deck(_res, only=only_set, basemap=basemap)
    else:
        geography = geo.geography(stored_boundary(), municipality=place)
        chart = deck(
            _res,
            basemap=basemap,
            only=only_set,
            geography=geography,
            footprints=stored_footprints(),
            refit=refit,
        )
    spec = chart.to_json()
    chart.to_json = lambda: spec  # the cached map never changes: st.pydeck_chart need not serialise it again
    # "Dannet" (the time made) is not shown on Oversigt, so one table serves every run.
    table = colour_list(_res, generated_at=datetime(2000, 1, 1), is_demo=False)
    return chart, red_and_yellow(table, _res.rules)


def overview(res: ReleaseResult, label: str, *, basemap: bool, only: set[str], refit: int = 0):
    """Oversigt's map of the departments in ``only`` and the red/yellow list (all departments).

    Cached per release, rule set, municipality, basemap, filter and ``refit`` (the "Hele kommunen"
    button's count: a new opening view of the same map), and renewed after any write to the
    database (an imported boundary, say) or a change of the boundary file: building the map and
    the colour list cost ~100 ms per run, now only when one of those changes.
    """
    from ui.mapview import boundary_file_key

    s = store()
    key = None if len(only) == len(res.data.frame) else frozenset(only)
    return _overview(
        str(s.path),
        s.generation,
        data_version(),
        boundary_file_key(),
        label,
        res.rules,
        basemap,
        key,
        refit,
        _res=res,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _rule_set(db: str, generation: int, name: str, version: int | None) -> RuleSet:
    return store().rule_set(name, version)  # a RuleSet is immutable, so one object serves every session


def stored_rule_set(choice: str) -> RuleSet:
    """A stored rule set by ``name@version``, cached until the next write to the database."""
    s = store()
    return _rule_set(str(s.path), s.generation, *parse_choice(choice))


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
    municipality: str | None = None  # None: every department in the database

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
    """Build the page context and (by default) draw the shared sidebar: demo notice and pickers.

    Release, rule set and scenario are kept in the session (widgets with
    ``persist_state="session"``), so they survive switching pages, and mirrored into the URL, so
    every view is a shareable link. A link opened in a new session seeds the session once.
    """
    ensure_router()
    s = store()
    known = facts()
    releases, adopted, choices = known.releases, known.adopted, known.choices
    adopted_choice = f"{adopted.name}@{adopted.version}"
    explore = current_actor().can("scenario")  # a viewer sees the adopted rule set, no other, no scenario
    if not explore:
        choices = [adopted_choice]
    newest = releases[-1] if releases else None
    seed_from_url(RELEASE_KEY, releases)
    seed_from_url(RULES_KEY, choices)
    places = municipalities()  # the selector only when the data hold more than one municipality
    place_options = [ALL_MUNICIPALITIES, *places] if len(places) > 1 else []
    default_place = default_municipality(places) or ALL_MUNICIPALITIES
    if place_options:
        seed_from_url(MUNICIPALITY_KEY, place_options)

    if sidebar:
        with st.sidebar:
            st.markdown(sidebar_title(place_name()))
            if known.is_demo:
                st.warning(
                    "**Demodata** – fiktive afdelinger og tal. Ikke den fortrolige monitoreringsliste.",
                    icon=":material/science:",
                )
            if place_options:
                st.selectbox(
                    "Kommune",
                    place_options,
                    key=MUNICIPALITY_KEY,
                    on_change=remember,
                    args=(MUNICIPALITY_KEY,),
                    index=None if MUNICIPALITY_KEY in st.session_state else place_options.index(default_place),
                    format_func=lambda m: "Hele landet" if m == ALL_MUNICIPALITIES else m,
                    help=f"Afdelingerne i denne kommune vises på alle sider. Standard er {default_place}.",
                )
            if releases:
                partial = facts().partial
                st.selectbox(
                    "Udgivelse",
                    releases[::-1],
                    format_func=lambda r: f"{r} (delvis)" if r in partial else r,
                    key=RELEASE_KEY,
                    on_change=remember,
                    args=(RELEASE_KEY,),
                    help="Dataudgivelsen der vises. Standard er den nyeste.",
                )
                st.selectbox(
                    "Regelsæt",
                    choices,
                    key=RULES_KEY,
                    on_change=_new_rule_set,
                    index=None if RULES_KEY in st.session_state else choices.index(adopted_choice),
                    format_func=lambda c: _choice_label(c, adopted_choice),
                    help="Regelsættet farverne beregnes efter. Standard er det vedtagne. "
                    "Et nyt valg nulstiller scenariet.",
                )
    release = _view().get(RELEASE_KEY) or newest
    choice = _view().get(RULES_KEY) or adopted_choice
    base = stored_rule_set(choice)
    if explore:
        _seed_scenario(base)
    overrides = scenario_overrides(base) if explore else {}
    try:
        rules = base.with_overrides(overrides) if overrides else base
    except UserError as exc:  # values that passed one by one but not together
        st.warning(fmt.error_text(exc), icon=":material/link_off:")
        overrides, rules = {}, base
    sync_url(release if release != newest else None, choice if choice != adopted_choice else None, overrides)
    place = municipality()
    if place_options:
        shown_place = place or ALL_MUNICIPALITIES
        set_url(MUNICIPALITY_KEY, shown_place if shown_place != default_place else None)
    if sidebar and overrides:
        with st.sidebar:
            st.info(
                f"Scenarie aktivt: {fmt.n_params(len(overrides))} i forhold til {base.name} v{base.version}. "
                "Ret eller nulstil det på siden Scenarie.",
                icon=":material/tune:",
            )
    return Context(s, release, releases, base, adopted, rules, overrides, known.is_demo, place)


_VIEW = "_view"  # what the user chose, kept for the session: widget key → value
_WRITTEN = "_url_written"  # the URL values this session last wrote: key → text


def _view() -> dict:
    return st.session_state.setdefault(_VIEW, {})


def remember(key: str) -> None:
    """``on_change`` of a widget whose value should outlive the page: keep the user's choice."""
    _view()[key] = st.session_state.get(key)


def restore(key: str, valid: list | None = None) -> None:
    """Before drawing a widget: give it the session's value again (a page switch forgets it).

    A kept value that is no longer valid (e.g. a deleted release) is dropped instead.
    """
    view = _view()
    if key not in view:
        return
    if view[key] is None or (valid is not None and view[key] not in valid):
        del view[key]
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = view[key]


def forget(key: str) -> None:
    _view().pop(key, None)


def keep(key: str, value) -> None:
    """Keep ``value`` for the session under ``key`` (as :func:`remember` keeps a widget's value)."""
    _view()[key] = value


def kept(key: str):
    """The value kept under ``key`` for the session (None when there is none)."""
    return _view().get(key)


def _new_in_url(key: str) -> str | None:
    """The URL's value for ``key`` when it came from a link rather than from this session."""
    value = st.query_params.get(key)
    if value is None or st.session_state.get(_WRITTEN, {}).get(key) == value:
        return None
    return value


def seed_from_url(key: str, valid: list | None = None, parse=None) -> None:
    """Keep a value from a link (a fresh session, or a link within the app), then restore it.

    A value this session wrote to the URL itself is not read back, so the user's latest choice
    wins over the address line. ``parse`` turns the URL's text into the widget's value (None:
    not a valid value), e.g. a number or a list.
    """
    value = _new_in_url(key)
    if value is not None and parse is not None:
        value = parse(value)
    if value is not None and (valid is None or value in valid):
        _view()[key] = value
    restore(key, valid)


def set_url(key: str, value: str | None) -> None:
    """Show ``value`` in the URL under ``key`` (None removes it) and remember it was ours."""
    written = st.session_state.setdefault(_WRITTEN, {})
    ours = key in written and written[key] == value
    written[key] = value
    if value is None:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value or not ours:
        # A value that came with a link is written once more: after a page_link to the page it
        # is on, Streamlit (1.67) runs with the link's query but shows the old one in the address
        # bar until the script writes to it.
        st.query_params[key] = value


def scenario_key(param_key: str) -> str:
    """Session and URL key of one scenario parameter, e.g. ``p.c.forebyggelse.outside_labour``."""
    return URL_PREFIX + param_key


def _seed_scenario(base: RuleSet) -> None:
    """Seed scenario values from a link, once per session and parameter; report a bad link."""
    query = {k: v for k in st.query_params.keys() if k.startswith(URL_PREFIX) and (v := _new_in_url(k)) is not None}
    if not query:
        return
    try:
        values = from_query(base, query)
    except UserError as exc:
        st.warning(fmt.error_text(exc), icon=":material/link_off:")
        return
    for key, value in values.items():
        _view()[scenario_key(key)] = value


def scenario_overrides(base: RuleSet) -> dict[str, float]:
    """The scenario in the session: parameters of ``base`` whose value differs from it."""
    out, view = {}, _view()
    for p in base.parameters():
        value = view.get(scenario_key(p.key))
        if value is not None and float(value) != p.value:
            out[p.key] = float(value)
    return out


#: Number fields' refused texts: field key → Danish message (see ui.number_entry).
FIELD_ERRORS_KEY = "_tal_fejl"


def clear_scenario() -> None:
    """Forget every scenario value (and any refused text in a scenario field)."""
    view = _view()
    for key in [k for k in view if k.startswith(URL_PREFIX)]:
        del view[key]
    errors = st.session_state.get(FIELD_ERRORS_KEY, {})
    for key in [k for k in errors if k.startswith(URL_PREFIX)]:
        del errors[key]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(URL_PREFIX)]:
        del st.session_state[key]


def _new_rule_set() -> None:
    """A new rule set in view starts without a scenario (its parameters may differ)."""
    remember(RULES_KEY)
    clear_scenario()


def sync_url(release: str | None, choice: str | None, overrides: dict[str, float]) -> None:
    """Mirror the view into the URL (defaults are left out, so a plain link stays plain)."""
    set_url(RELEASE_KEY, release)
    set_url(RULES_KEY, choice)
    sync_scenario_url(overrides)


def sync_scenario_url(overrides: dict[str, float]) -> None:
    """Mirror the scenario into the URL as ``p.<key>=<value>``, one parameter each."""
    wanted = {scenario_key(k): url_number(v) for k, v in overrides.items()}
    for key in [k for k in st.query_params.keys() if k.startswith(URL_PREFIX) and k not in wanted]:
        set_url(key, None)
    for key, value in wanted.items():
        set_url(key, value)


def _choice_label(choice: str, adopted_choice: str) -> str:
    name, version = parse_choice(choice)
    return f"{name} (v{version})" + (" – vedtaget" if choice == adopted_choice else "")


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


DEPARTMENT_KEY = "afd"


def go_to_department(dept_id: str) -> None:
    """Open the Afdeling page for one department, keeping release, rule set and scenario."""
    _view()[DEPARTMENT_KEY] = dept_id
    st.switch_page("pages/afdeling.py", query_params=link_params(**{DEPARTMENT_KEY: dept_id}))


def department_not_in_view(ctx: Context, dept: str, page: str) -> None:
    """Answer a link to a department that is not in view, then stop the page.

    A department of another municipality (a link from "Hele landet", or a nationwide twin) gets a
    link to ``page`` with that municipality picked; an unknown one is said to be unknown.
    """
    home = ctx.store.department_municipality(str(dept)) if ctx.municipality else None
    if home is not None and home != ctx.municipality:
        st.warning(
            f"Afdelingen »{fmt.plain(dept)}« ligger i {fmt.plain(home)} Kommune, og siderne viser nu "
            f"{fmt.plain(ctx.municipality)} Kommune. Skift kommune for at se den."
        )
        st.page_link(
            page,
            label=f"Vis afdelingen i {fmt.plain(home)} Kommune",
            icon=":material/swap_horiz:",
            query_params=link_params(**{DEPARTMENT_KEY: str(dept), MUNICIPALITY_KEY: home}),
        )
    else:
        st.warning(
            f"Afdelingen »{fmt.plain(dept)}« findes ikke i udgivelse {fmt.plain(ctx.release)}. "
            "Vælg en afdeling på listen."
        )
    st.stop()


def link_params(**extra: str) -> dict[str, str]:
    """The current view's query parameters plus ``extra``: for links to another page."""
    return {k: st.query_params.get(k) for k in st.query_params.keys() if k != DEPARTMENT_KEY} | extra


def no_data_notice() -> None:
    """The empty state when no release can be shown: what to import, in which order, with templates."""
    from ui.getting_started import render_steps

    st.info(
        "Der er endnu ingen data i databasen at vise. Indlæs filerne i denne rækkefølge – "
        "afdelingsregistret først, så udgivelser med afdelingsdata, så ministeriets lister:",
        icon=":material/database:",
    )
    render_steps(store(), key="empty")
    st.caption("Eller byg demodatabasen med `python -m trappetrin demo` for at prøve programmet.")


def audited_download(
    ctx: Context, kind: str, file_name: str, build, *, subject: str | None = None, details: dict | None = None
):
    """A download button's data that records an "export" in the audit trail when it is fetched.

    For demo data nothing is recorded and ``build`` (bytes, or a function giving them) is returned
    as it is. For real data a function is returned that builds the file and logs who fetched
    which file of what (``subject``, by default the release in view), so the record is written
    exactly when the user clicks. ``kind`` is the format ("csv", "xlsx" …).
    """
    if ctx.is_demo:
        return build
    store, who = ctx.store, current_actor().label
    record = {"format": kind, **(details or {})}

    def build_and_log() -> bytes:
        data = build() if callable(build) else build
        store.log_event(who, "export", subject or ctx.release, file_name=file_name, details=record)
        return data

    return build_and_log


def demo_caption(ctx: Context) -> None:
    """One line under a page title saying which data, release and rule set are in view."""
    who = "Demodata (fiktive afdelinger)" if ctx.is_demo else "Data"
    where = f" · {fmt.plain(ctx.municipality)} Kommune" if ctx.municipality else ""
    st.caption(f"{who}{where} · udgivelse {fmt.plain(ctx.release)} · regelsæt {fmt.plain(ctx.rules_label)}")


def classification(ctx: Context) -> Classification:
    return ctx.result().result
