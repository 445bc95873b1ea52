"""Scenarie: change the rule set's numbers live and see who changes colour, then save or adopt.

Every parameter of the rule set in view is a field keyed ``p.<key>``: a threshold is typed as a
Danish number (:mod:`ui.number_entry`: ``1,5`` and ``1.5`` are 1.5), a structural parameter (the
ministry list yes/no, k of n) is picked. Values are kept for the session and mirrored into the URL,
so a link reproduces the scenario. The scenario is built from
the inputs' own values, which a fragment rerun has without rereading the page context. The
inputs and everything they drive form one fragment, so a change reruns only that part of the
page (no database look-ups for the sidebar), and only the view picked with "Visning" is
computed. The movers list does not even wait for that rerun: the browser computes it the moment
a change is committed (:func:`ui.scenario_view.live_movers`).
"""

from dataclasses import replace

import streamlit as st

from trappetrin import formatting
from trappetrin.errors import UserError
from trappetrin.scenario import diff_table
from ui import fmt
from ui import scenario_view as sv
from ui.auth import current_actor
from ui.capacity_view import scenario_line
from ui.context import Context
from ui.loaders import data_version
from ui.mapview import LEAN_ABOVE
from ui.page import demo_caption, preamble
from ui.url import sync_scenario_url

EFFECT, SAVE, COMPARE = "Virkning", "Gem og vedtag", "Sammenlign regelsæt"
VIEW_KEY = "scenarie_visning"
_AGAIN = "_scenarie_igen"


@st.fragment
def workbench(ctx: Context) -> None:
    """Parameter inputs on the left; on the right the chosen view of the scenario they make.

    What a threshold change is for reaches the browser first: the layout is laid out as empty
    containers, then the count of movers and their table are drawn, and only then the rest is
    filled in (captions, key figures, allocation, matrix, map) and, last, the ~30 elements of the
    inputs, which are re-sent on every rerun. Every run draws the same elements in the same
    places, so the browser updates them instead of rebuilding them (the map above all).
    """
    base, adopted = ctx.base, ctx.adopted
    version = data_version()  # once per run: every cached look-up below is keyed on it
    refs = sv.effects(ctx.release, base, base, version).before.data.refs
    caption_slot = st.empty()
    left, right = st.columns([2, 3], gap="large")
    with right:
        message_slot, control_slot = st.container(), st.container()
    values = sv.values_in_state(base, restore=True)  # the inputs' values are in the session already
    overrides = sv.overrides_from(base, values)
    error = None
    try:
        scenario = sv.scenario_rules(base, overrides)
    except UserError as exc:  # e.g. a combination the rule set's own checks refuse
        error, overrides, scenario = str(exc), {}, base
    sync_scenario_url(overrides)  # the fragment reruns alone: keep the shareable link current

    # The view picked last time (the control is drawn below, into its place above the view).
    view = st.session_state.get(VIEW_KEY) or EFFECT
    with right:
        if view == EFFECT:
            show_effects(ctx, scenario, overrides, refs, version, error=error is not None)
        elif view == SAVE:
            show_save_and_adopt(ctx, scenario)
        else:
            show_compare(ctx, scenario, overrides, refs, version)
    with message_slot:
        sv.show_flash(error)
    with control_slot:
        st.segmented_control(
            "Visning",
            [EFFECT, SAVE, COMPARE],
            default=EFFECT,
            required=True,
            key=VIEW_KEY,
            persist_state="session",
            label_visibility="collapsed",
        )
    with caption_slot:  # which data and rules, with this run's scenario (ctx's is read from the URL)
        demo_caption(replace(ctx, rules=scenario, overrides=overrides))

    with left:
        st.subheader("Parametre")
        st.caption(
            "Skriv et tal (decimaler med komma, fx 32,5) og tryk Enter, eller vælg. Virkningen vises straks. "
            "Adresselinjen indeholder scenariet, så et link viser det samme."
        )
        st.button(
            "Nulstil til vedtaget",
            key="scenarie_nulstil",
            icon=":material/restart_alt:",
            on_click=sv.reset_to_adopted,
            args=(base, adopted),
            help="Sæt alle parametre tilbage til det vedtagne regelsæt.",
        )
        shown = sv.parameter_inputs(base, adopted, refs)
    # The inputs show what the effects were computed from; should they ever differ, run once more.
    if sv.overrides_from(base, shown) != sv.overrides_from(base, values) and not st.session_state.get(_AGAIN):
        st.session_state[_AGAIN] = True
        st.rerun()
    st.session_state.pop(_AGAIN, None)


def show_effects(
    ctx: Context, scenario, overrides: dict[str, float], refs: dict[str, float], version: str, *, error: bool = False
) -> None:
    """Colours before → after, the movers with their causes, the transition matrix and the map.

    The movers are drawn first into their place below the key figures (see :func:`workbench`), by
    the live list (:func:`ui.scenario_view.live_movers`), which shows a change's movers in the
    browser before this run's list arrives.
    """
    base = ctx.base
    head, figures, allocation = st.container(), st.container(), st.container()
    eff = sv.effects(ctx.release, base, scenario, version)
    sv.live_movers(
        eff,
        base,
        scenario,
        sv.engine_id(ctx.release, base, version),
        error=error,
        key=sv.MOVERS_KEY,
        empty_text="Ingen afdelinger skifter farve med disse parametre.",
    )
    with head:
        st.caption(
            f"Udgivelse {sv.plain(ctx.release)} · Før: {sv.plain(base.name)} v{base.version} · "
            f"Efter: scenariet ({fmt.n_params(len(overrides))})"
        )
        changes = diff_table(base, scenario, refs)
        st.markdown(
            "  \n".join(
                f"**Ændret:** {sv.md(r.Parameter)}: {sv.md(r.Før)} → {sv.md(r.Efter)}" for r in changes.itertuples()
            )
            or "Ingen parametre ændret endnu."
        )
    with figures:
        sv.colour_metrics(eff.before, eff.after)
    with allocation:
        # The allocation line is always against the rule set in force, whatever rule set is in view.
        adopted_res = (
            eff.before if base == ctx.adopted else sv.effects(ctx.release, ctx.adopted, scenario, version).before
        )
        scenario_line(f"det vedtagne {sv.plain(ctx.adopted.name)} v{ctx.adopted.version}", adopted_res, eff.after)
    st.markdown("**Fra farve til farve** (antal afdelinger)")
    sv.table(eff.matrix, key="scenarie_matrix")
    st.pydeck_chart(sv.scenario_deck(ctx.release, base, scenario, version), key="scenarie_kort", height=460)
    lean = sv.is_lean(eff.after)
    st.caption(
        f"Farver efter scenariet. Afdelinger der skifter farve har en blå ring. "
        f"{'Tal på de afdelinger der skifter farve' if lean else 'Tal på punkterne'}: "
        f"{fmt.map_legend(scenario)}."
        + (
            f" Med over {formatting.integer(LEAN_ABOVE)} afdelinger viser kortet kun detaljer "
            "for dem der skifter farve."
            if lean
            else ""
        )
    )


def show_save_and_adopt(ctx: Context, scenario) -> None:
    """Save the scenario under a name; adopt it (confirmed); who adopted what, when."""
    base, adopted = ctx.base, ctx.adopted
    actor = current_actor()  # buttons the role may not use are not shown; the store refuses them too
    user = actor.label
    change = sv.mass_change(ctx.release, base, scenario)
    if change is not None and (actor.can("save_rule_set") or actor.can("adopt_rule_set")):
        with st.container(border=True):
            st.markdown("**Stor ændring**")
            st.warning(
                change.text.format(f"{sv.plain(base.name)} v{base.version}")
                + " Det er sjældent meningen; se listen under Virkning, før scenariet gemmes eller vedtages.",
                icon=":material/warning:",
            )
            st.checkbox(
                "Jeg har set, at de fleste afdelinger skifter farve, og vil gemme eller vedtage scenariet alligevel.",
                key=sv.mass_confirm_key(scenario),
            )
    if actor.can("save_rule_set"):
        st.markdown("**Gem scenarie**")
        with st.form("scenarie_gem_form"):
            st.text_input(
                "Navn (skal udfyldes)",
                key=sv.SAVE_NAME_KEY,
                max_chars=sv.NAME_MAX,
                placeholder="fx Arbejdsgruppens forslag",
            )
            st.text_input("Titel (valgfri)", key=sv.SAVE_TITLE_KEY, max_chars=sv.TITLE_MAX)
            st.form_submit_button(
                "Gem scenarie", icon=":material/save:", on_click=sv.save_scenario, args=(base, ctx.release)
            )
        st.caption(
            f"Gemmes som en ny version af navnet, gemt af {sv.plain(user)}. "
            "Et gemt scenarie kan vælges under Regelsæt i sidepanelet og sammenlignes."
        )

    st.markdown("**Vedtag scenariet**")
    row = sv.adopted_row()
    if row is not None:
        st.markdown(
            f"Gældende regelsæt: **{sv.plain(row['name'])} v{int(row['version'])}** "
            f"({sv.plain(row['title'])}), vedtaget af {sv.plain(row['adopted_by'])} "
            f"{formatting.datetime(row['adopted_at'])}."
        )
    stored = sv.find_stored(scenario, prefer=base)
    if stored == (adopted.name, adopted.version):
        st.info("Scenariet er det vedtagne regelsæt uden ændringer – der er intet at vedtage.", icon=":material/info:")
    elif not actor.can("adopt_rule_set"):
        st.caption("Kun en administrator kan vedtage et regelsæt.")
    else:
        with st.form("scenarie_vedtag_form"):
            if stored is None:
                st.text_input(
                    "Navn på det nye regelsæt (skal udfyldes)",
                    key=sv.ADOPT_NAME_KEY,
                    max_chars=sv.NAME_MAX,
                    help="Scenariet er ikke gemt endnu; det gemmes under dette navn.",
                )
            else:
                st.markdown(
                    f"Scenariet svarer til det gemte regelsæt **{sv.plain(stored[0])} v{stored[1]}**, "
                    "som vedtages, som det er."
                )
            st.checkbox(
                "Jeg bekræfter, at dette regelsæt skal gælde som det vedtagne for monitoreringen fra nu af.",
                key=sv.ADOPT_CONFIRM_KEY,
            )
            st.form_submit_button(
                "Vedtag scenariet",
                type="primary",
                icon=":material/gavel:",
                on_click=sv.adopt_scenario,
                args=(base, ctx.release),
            )
        st.caption(f"Vedtagelsen registreres med navn ({sv.plain(user)}) og tidspunkt.")
    st.markdown("**Gemte regelsæt**")
    sv.table(sv.rule_set_history(), key="scenarie_regelsaet")


def show_compare(ctx: Context, scenario, overrides: dict[str, float], refs: dict[str, float], version: str) -> None:
    """Any two stored rule sets (or the current scenario) side by side for the release in view."""
    base, adopted = ctx.base, ctx.adopted
    options = [sv.CURRENT] + sv.department_choices()
    adopted_choice, base_choice = f"{adopted.name}@{adopted.version}", f"{base.name}@{base.version}"

    def label(choice: str) -> str:
        if choice == sv.CURRENT:
            return f"{sv.CURRENT} ({len(overrides)} ændringer til {base.name} v{base.version})"
        name, _, number = choice.rpartition("@")
        return f"{name} v{number}" + (" – vedtaget" if choice == adopted_choice else "")

    with st.container(horizontal=True):
        a_choice = st.selectbox(
            "Før",
            options,
            index=options.index(base_choice) if base_choice in options else 0,
            format_func=label,
            key="sammenlign_a",
        )
        b_choice = st.selectbox("Efter", options, index=0, format_func=label, key="sammenlign_b")
    a_rules = scenario if a_choice == sv.CURRENT else sv.stored_rule_set(a_choice)
    b_rules = scenario if b_choice == sv.CURRENT else sv.stored_rule_set(b_choice)
    try:
        eff = sv.effects(ctx.release, a_rules, b_rules, version)
    except UserError as exc:  # a stored rule set that needs indicators this release lacks
        st.error(fmt.error_text(exc))
        return
    st.markdown(f"**Afdelinger pr. farve** · udgivelse {fmt.plain(ctx.release)}")
    sv.table(sv.counts_frame(eff.before, eff.after), key="sammenlign_antal")
    st.markdown("**Fra farve til farve** (antal afdelinger)")
    sv.table(eff.matrix, key="sammenlign_matrix")
    st.markdown(f"**{formatting.integer(len(eff.movers))} afdelinger skifter farve**")
    sv.show_movers(
        eff.movers,
        key="sammenlign_flyttere",
        empty_text="De to regelsæt giver samme farve for alle afdelinger i denne udgivelse.",
    )
    st.markdown("**Forskelle i parametre**")
    diffs = diff_table(a_rules, b_rules, refs)
    if diffs.empty:
        st.caption("Ingen forskelle i parametrene.")
    else:
        sv.table(diffs.rename(columns={"Nøgle": "Nøgle (i linket: p.…)"}), key="sammenlign_forskelle")


def page() -> None:
    ctx = preamble("Scenarie", caption=False)  # the workbench says which data are in view
    sv.movers_engine(ctx.release, ctx.base, data_version())  # outside the fragment: sent once per page run
    workbench(ctx)


page()
