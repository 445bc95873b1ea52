"""The page context: what every page works on, and the shared sidebar that picks it.

The *context* is the release in view, the rule set in view (the adopted one unless the user
picked another), the scenario overrides on top of it and the municipality in view. They live in
the session (:mod:`ui.session`), so they survive switching pages, and in the URL's query
parameters (:mod:`ui.url`), so every view can be shared as a link.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from trappetrin.colours import ReleaseResult
from trappetrin.errors import UserError
from trappetrin.rules import RuleSet
from trappetrin.store import DEFAULT_MUNICIPALITY, Store
from ui import fmt
from ui.auth import current_actor
from ui.loaders import (
    classified,
    default_municipality,
    facts,
    municipalities,
    municipality,
    parse_choice,
    place_name,
    store,
    stored_rule_set,
)
from ui.router import ensure_router
from ui.session import clear_scenario, kept, kept_widget, remember, scenario_overrides
from ui.url import (
    ALL_MUNICIPALITIES,
    MUNICIPALITY_KEY,
    RELEASE_KEY,
    RULES_KEY,
    seed_from_url,
    seed_scenario,
    set_url,
    sync_url,
)


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


def sidebar_title(place: str | None) -> str:
    """The sidebar's first line: the product and the municipality in view (Markdown, name escaped)."""
    if place == DEFAULT_MUNICIPALITY:
        return f"**Trappetrin** · Fælles udlejningsaftale, {DEFAULT_MUNICIPALITY}"
    if place is None:
        return "**Trappetrin** · Hele landet"
    return f"**Trappetrin** · {fmt.plain(place)} Kommune"


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
                    **kept_widget(MUNICIPALITY_KEY),
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
                    **kept_widget(RELEASE_KEY),
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
    release = kept(RELEASE_KEY) or newest
    choice = kept(RULES_KEY) or adopted_choice
    base = stored_rule_set(choice)
    if explore:
        seed_scenario(base)
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


def _new_rule_set() -> None:
    """A new rule set in view starts without a scenario (its parameters may differ)."""
    remember(RULES_KEY)
    clear_scenario()


def _choice_label(choice: str, adopted_choice: str) -> str:
    name, version = parse_choice(choice)
    return f"{name} (v{version})" + (" – vedtaget" if choice == adopted_choice else "")
