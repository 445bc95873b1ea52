"""Scenarios: movers and their causes, the transition matrix, URL round trips and parameter texts."""

from __future__ import annotations

import pandas as pd
import pytest

from trappetrin.engine import classify
from trappetrin.errors import UserError
from trappetrin.rules import bundled_rule_sets
from trappetrin.scenario import (
    URL_PREFIX,
    content_fingerprint,
    counts,
    diff_table,
    from_query,
    movers,
    parameter_groups,
    parameter_label,
    parameter_name,
    parameter_text,
    to_query,
    transition_matrix,
)

RULES = {rs.name: rs for rs in bundled_rule_sets()}
TRAPPETRIN = RULES["trappetrin"]
REFS = {"national_pct_convicted": 0.78}


def department(**values) -> dict:
    """A monitored department that meets no criterion unless told otherwise."""
    base = dict(
        residents_18_64=100.0,
        on_ministry_list=0.0,
        pct_outside_labour=10.0,
        pct_convicted=0.1,
        pct_basic_education=20.0,
        income_pct_of_region=90.0,
        pct_nonwestern=5.0,
    )
    return base | values


#: Four departments around the outside-labour threshold (30 %, strict >), each with a second criterion
#: (income < 65 %) so that the outside-labour criterion alone decides between green and yellow.
FRAME = pd.DataFrame.from_dict(
    {
        "a": department(pct_outside_labour=31.0, income_pct_of_region=60.0),  # yellow; green at > 32
        "b": department(pct_outside_labour=34.0, income_pct_of_region=60.0),  # yellow at both
        "c": department(pct_outside_labour=29.0, income_pct_of_region=60.0),  # green; yellow at > 28
        "d": department(pct_outside_labour=31.0, income_pct_of_region=60.0, residents_18_64=25.0),
        "e": department(residents_18_64=12.0, pct_outside_labour=45.0, income_pct_of_region=40.0),  # grey
    },
    orient="index",
)


def run(overrides: dict[str, float] | None = None):
    rules = TRAPPETRIN.with_overrides(overrides or {})
    return classify(FRAME, rules, REFS)


def test_no_change_no_movers():
    """The same rule set on both sides moves nobody, and the matrix is all on the diagonal."""
    before = run()
    assert movers(before, run()).empty
    matrix = transition_matrix(before, run())
    assert int(matrix.to_numpy().trace()) == len(FRAME)


def test_raising_a_threshold_moves_exactly_the_departments_between_old_and_new():
    """Raising outside labour from > 30 to > 32 makes yellow→green exactly the departments at 30–32 %."""
    moved = movers(run(), run({"c.forebyggelse.outside_labour": 32.0}))
    assert moved[["id", "from", "to"]].values.tolist() == [["a", "yellow", "green"], ["d", "yellow", "green"]]
    cause = moved.loc[0, "causes"]
    assert [
        (c["key"], c["value"], c["old_threshold"], c["new_threshold"], c["met_before"], c["met_after"]) for c in cause
    ] == [("c.forebyggelse.outside_labour", 31.0, 30.0, 32.0, True, False)]
    assert moved.loc[0, "cause_text"] == (
        "Uden for arbejdsmarked og uddannelse 31 %: > 30 → > 32 (ikke længere opfyldt)"
    )


def test_lowering_a_threshold_moves_the_other_way():
    """Lowering outside labour to > 28 makes the department at 29 % yellow, with 'nu opfyldt'."""
    moved = movers(run(), run({"c.forebyggelse.outside_labour": 28.0}))
    assert moved[["id", "from", "to"]].values.tolist() == [["c", "green", "yellow"]]
    assert moved.loc[0, "cause_text"].endswith("(nu opfyldt)")


def test_transition_matrix_counts_from_rows_to_columns():
    """Rows are the outcome before, columns after, in the rule set's outcome order, zeros included."""
    matrix = transition_matrix(run(), run({"c.forebyggelse.outside_labour": 32.0}))
    assert list(matrix.index) == ["red", "yellow", "green", "grey"]
    assert list(matrix.columns) == ["red", "yellow", "green", "grey"]
    assert matrix.loc["yellow", "green"] == 2
    assert matrix.loc["yellow", "yellow"] == 1
    assert matrix.loc["green", "green"] == 1
    assert matrix.loc["grey", "grey"] == 1
    assert int(matrix.to_numpy().sum()) == len(FRAME)
    assert matrix.loc["red"].sum() == 0


def test_counts_per_outcome_include_zero_outcomes():
    """Counts list every outcome of the rule set in its order, zero where nobody has it."""
    assert counts(run()).to_dict() == {"red": 0, "yellow": 3, "green": 1, "grey": 1}


def test_movers_under_discretion_carry_no_values():
    """A department turning grey (discretion limit raised) is listed without causes or numbers."""
    moved = movers(run(), run({"d.minimum": 30.0}))
    assert moved[["id", "from", "to"]].values.tolist() == [["d", "yellow", "grey"]]
    assert moved.loc[0, "causes"] == []
    assert moved.loc[0, "cause_text"] == "Diskretionsgrænsen er ændret"
    assert not any(ch.isdigit() for ch in moved.loc[0, "cause_text"])


def test_changed_count_is_said_in_words():
    """When only 'at least k' changes, the cause says so rather than naming a criterion."""
    moved = movers(run(), run({"k.two_criteria": 3.0}))
    assert set(moved["id"]) == {"a", "b", "d"}
    assert set(moved["cause_text"]) == {"Krav til antal opfyldte kriterier er ændret"}


def test_movers_need_the_same_rows():
    """Classifications of different rows cannot be compared."""
    other = classify(FRAME.iloc[:2], TRAPPETRIN, REFS)
    with pytest.raises(ValueError):
        movers(run(), other)


def test_query_round_trip():
    """A scenario written to URL parameters reads back to the same overrides and the same rule set."""
    scenario = TRAPPETRIN.with_overrides({"c.forebyggelse.outside_labour": 35.5, "k.two_criteria": 3.0})
    query = to_query(TRAPPETRIN, scenario)
    assert query == {"p.c.forebyggelse.outside_labour": "35.5", "p.k.two_criteria": "3"}
    back = TRAPPETRIN.with_overrides(from_query(TRAPPETRIN, query))
    assert back.fingerprint() == scenario.fingerprint()


def test_from_query_ignores_other_parameters_and_reads_danish_numbers():
    """Release and rule-set parameters are left alone; '35,5' is a Danish decimal."""
    got = from_query(TRAPPETRIN, {"udgivelse": "2026-11", URL_PREFIX + "c.forebyggelse.outside_labour": "35,5"})
    assert got == {"c.forebyggelse.outside_labour": 35.5}


@pytest.mark.parametrize("query", [{"p.c.nope.x": "1"}, {"p.c.forebyggelse.income": "tres"}])
def test_from_query_rejects_unknown_keys_and_non_numbers(query):
    """A link that does not fit the rule set is a Danish user error, not a silent no-op."""
    with pytest.raises(UserError, match="Linket passer ikke"):
        from_query(TRAPPETRIN, query)


def test_to_query_is_empty_without_changes():
    """An unchanged rule set gives a clean URL."""
    assert to_query(TRAPPETRIN, TRAPPETRIN) == {}


def test_every_parameter_is_in_exactly_one_group():
    """The groups cover all parameters once: discretion, the criteria set, then each rule."""
    groups = parameter_groups(TRAPPETRIN)
    keys = [p.key for g in groups for p in g.parameters]
    assert sorted(keys) == sorted(TRAPPETRIN.parameter_values())
    assert len(keys) == len(set(keys))
    assert [g.title for g in groups][:2] == ["Diskretion", "Forebyggelseskriterier på afdelingsniveau"]
    assert [g.outcome for g in groups[2:]] == ["red", "yellow", "yellow"]


@pytest.mark.parametrize(
    ("key", "label", "text"),
    [
        ("c.forebyggelse.outside_labour", "Uden for arbejdsmarked og uddannelse (> … %)", "> 30 %"),
        (
            "c.forebyggelse.convicted",
            "Dømte for overtrædelse af straffeloven m.fl. (≥ … × landsgennemsnittet)",
            "≥ 2 × landsgennemsnittet (1,56 %)",
        ),
        ("c.forebyggelse.income", "Gennemsnitlig bruttoindkomst i % af regionen (< … %)", "< 65 %"),
        # Issue 14: k of n is a choice of 1–4, labelled as what it is (it was "Mindst … af 4 kriterier opfyldt").
        ("k.two_criteria", "Antal af de 4 kriterier der skal være opfyldt", "mindst 2 af 4"),
        # Issue 14: the list gate is yes/no (it was the threshold "Del af område på ministeriets liste (≥ …)").
        ("g.ministerial_list.on_list", "Afdelinger i et område på ministeriets liste er røde", "ja"),
        ("d.minimum", "Diskretionsgrænse: Beboere 18–64 år (≥ …)", "≥ 20"),
    ],
)
def test_parameter_label_and_text(key, label, text):
    """Each parameter has a Danish label with its comparison and unit, and a text of its rule."""
    param = next(p for p in TRAPPETRIN.parameters() if p.key == key)
    assert parameter_label(TRAPPETRIN, param) == label
    assert parameter_text(TRAPPETRIN, param, refs=REFS) == text


def test_relative_threshold_text_follows_the_value():
    """A changed factor gives the matching absolute threshold from the release's reference value."""
    param = next(p for p in TRAPPETRIN.parameters() if p.key == "c.forebyggelse.convicted")
    assert parameter_text(TRAPPETRIN, param, 2.5, REFS) == "≥ 2,5 × landsgennemsnittet (1,95 %)"


def test_diff_table_lists_changed_parameters_in_danish():
    """The difference table names each changed parameter and shows both rules as text."""
    scenario = TRAPPETRIN.with_overrides({"c.forebyggelse.outside_labour": 35.0, "k.two_criteria": 3.0})
    table = diff_table(TRAPPETRIN, scenario, REFS)
    assert table[["Før", "Efter", "Nøgle"]].values.tolist() == [
        ["> 30 %", "> 35 %", "c.forebyggelse.outside_labour"],
        ["mindst 2 af 4", "mindst 3 af 4", "k.two_criteria"],
    ]
    assert table.loc[0, "Parameter"].endswith("Uden for arbejdsmarked og uddannelse")
    assert diff_table(TRAPPETRIN, TRAPPETRIN).empty


def test_content_fingerprint_ignores_name_but_not_numbers():
    """A saved copy under another name has the same content; a changed threshold does not."""
    renamed = TRAPPETRIN.model_copy(update={"name": "kopi", "version": 7, "title": "Kopi"})
    assert content_fingerprint(renamed) == content_fingerprint(TRAPPETRIN)
    changed = TRAPPETRIN.with_overrides({"c.forebyggelse.income": 60.0})
    assert content_fingerprint(changed) != content_fingerprint(TRAPPETRIN)


# --- what a scenario may change -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"p.d.minimum": "10"}, "d.minimum = 10 skal være mindst 20"),
        ({"p.k.two_criteria": "9"}, "skal være mindst 1 og højst 4"),
        # Issue 14: 0 of 4 made every department yellow; it is no longer a value a scenario may take.
        ({"p.k.two_criteria": "0"}, "skal være mindst 1 og højst 4"),
        # Issue 14: "≥ 0" on the list flag made every department red.
        ({"p.g.ministerial_list.on_list": "0"}, "skal være mindst 1 og højst 2"),
        ({"p.k.two_criteria": "1,5"}, "skal være et helt tal"),
        ({"p.c.forebyggelse.outside_labour": "-5"}, "skal være mindst 0 og højst 100"),
        ({"p.c.forebyggelse.outside_labour": "140"}, "skal være mindst 0 og højst 100"),
    ],
)
def test_links_outside_the_bounds_are_refused_with_the_parameter_named(query, problem):
    with pytest.raises(UserError) as err:
        from_query(TRAPPETRIN, query)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_links_inside_the_bounds_pass():
    assert from_query(
        TRAPPETRIN, {"p.d.minimum": "40", "p.k.two_criteria": "1", "p.c.forebyggelse.outside_labour": "35"}
    ) == {"d.minimum": 40.0, "k.two_criteria": 1.0, "c.forebyggelse.outside_labour": 35.0}


def test_the_rule_set_itself_refuses_a_lower_discretion_limit():
    """Not only the link parser: any caller of with_overrides is held to the rule set's limit."""
    with pytest.raises(UserError, match="Diskretionsgrænsen kan ikke sættes under 20"):
        TRAPPETRIN.with_overrides({"d.minimum": 19.0})
    assert TRAPPETRIN.with_overrides({"d.minimum": 25.0}).discretion.minimum == 25.0


# --- structural parameters (issue 14 point 2) ----------------------------------------------------


def _param(key: str):
    return next(p for p in TRAPPETRIN.parameters() if p.key == key)


def test_structural_parameters_are_choices_and_thresholds_are_not():
    from trappetrin.scenario import is_choice

    kinds = {p.key: is_choice(p) for p in TRAPPETRIN.parameters()}
    assert {k for k, v in kinds.items() if v} == {
        "k.two_criteria",
        "k.nonwestern_and_one",
        "g.ministerial_list.on_list",
    }


def test_list_membership_is_yes_or_no():
    """Ja = the flagged departments are red (≥ 1); Nej = no department is red for it (≥ 2)."""
    from trappetrin.scenario import choice_meaning, choice_text, choices, flag_is_on

    param = _param("g.ministerial_list.on_list")
    assert choices(TRAPPETRIN, param) == [1.0, 2.0]
    assert [choice_text(TRAPPETRIN, param, v) for v in (1.0, 2.0)] == ["Ja", "Nej"]
    assert flag_is_on(param, 1.0) and not flag_is_on(param, 2.0)
    assert choice_meaning(TRAPPETRIN, param, 1.0) == "Afdelinger i et område på ministeriets liste er røde."
    assert choice_meaning(TRAPPETRIN, param, 2.0).startswith(
        "Afdelinger i et område på ministeriets liste er ikke røde"
    )
    assert parameter_text(TRAPPETRIN, param, 2.0) == "nej"
    assert parameter_name(TRAPPETRIN, param) == "Afdelinger i et område på ministeriets liste er røde"
    assert from_query(TRAPPETRIN, {"p.g.ministerial_list.on_list": "2"}) == {"g.ministerial_list.on_list": 2.0}


def test_no_on_the_list_makes_no_department_red_for_it():
    """The "Nej" value really switches the rule off, and "Ja" is the rule as adopted."""
    frame = pd.DataFrame(
        {"on_ministry_list": [1.0, 0.0], "residents_18_64": [100.0, 100.0]},
        index=pd.Index(["a", "b"]),
    )
    for col in TRAPPETRIN.indicators:
        if col not in frame:
            frame[col] = 0.0
    refs = {r: 1.0 for r in TRAPPETRIN.references}
    yes = classify(frame, TRAPPETRIN, refs).outcome
    no = classify(frame, TRAPPETRIN.with_overrides({"g.ministerial_list.on_list": 2.0}), refs).outcome
    assert list(yes) == ["red", "green"] and list(no) == ["green", "green"]


def test_k_of_n_is_one_to_four_with_its_meaning_spelled_out():
    from trappetrin.scenario import choice_meaning, choices

    param = _param("k.two_criteria")
    assert choices(TRAPPETRIN, param) == [1.0, 2.0, 3.0, 4.0]
    assert choice_meaning(TRAPPETRIN, param, 1) == "Gule, når mindst ét af de 4 kriterier er opfyldt."
    assert choice_meaning(TRAPPETRIN, param, 2) == "Gule, når mindst 2 af de 4 kriterier er opfyldt."
    assert choice_meaning(TRAPPETRIN, param, 4) == "Gule, når alle 4 kriterier er opfyldt."
    gated = _param("k.nonwestern_and_one")
    assert choice_meaning(TRAPPETRIN, gated, 1).endswith("(og betingelserne ovenfor holder).")
