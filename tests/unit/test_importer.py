"""Importing department-indicator releases: the bad-file corpus, happy paths, preview, commit, round trip."""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.dbdump import dump
from trappetrin import catalogue, imports
from trappetrin.auth import Actor
from trappetrin.colours import classify_release
from trappetrin.config import DATA_DIR
from trappetrin.demo import build_demo
from trappetrin.errors import UserError
from trappetrin.imports import columns, files, indicators
from trappetrin.store import Store, Transaction

BAD = Path(__file__).parent / "bad_files"
MANIFEST = tomllib.loads((BAD / "manifest.toml").read_text(encoding="utf-8"))["case"]
TEMPLATES = DATA_DIR / "templates"
TODAY = date(2026, 11, 23)
ACTOR = Actor("test", "admin")
# Most test files are deliberately small (a few columns): they are partial releases on purpose.
# The cases about missing columns set ``allow_missing`` themselves.
DEFAULTS = {
    "label": "test-ny",
    "source": "Tvillingeværktøj",
    "reference_date": "2026-11-20",
    "allow_missing": tuple(catalogue.indicators()),
}


# --- fixtures -----------------------------------------------------------------------------------


def run_import(store: Store, file, /, *, file_name=None, **params):
    """read → validate → commit with the manifest's defaults."""
    args = {**DEFAULTS, **params}
    return indicators.import_release(
        store,
        file,
        file_name=file_name,
        label=args["label"],
        release_source=args["source"],
        reference_date=args["reference_date"],
        actor=ACTOR,
        mapping=args.get("mapping"),
        sheet=args.get("sheet"),
        header_row=args.get("header_row"),
        today=TODAY,
        progress=args.get("progress"),
        allow_missing=args["allow_missing"],
    )


def stored_values(store: Store, label: str) -> pd.DataFrame:
    return store.query(
        "SELECT v.dept_id, v.indicator, v.value FROM indicator_values v JOIN releases r USING (release_id) "
        "WHERE r.label = ? ORDER BY ALL",
        [label],
    ).set_index(["dept_id", "indicator"])["value"]


# --- the bad-file corpus ------------------------------------------------------------------------


def test_corpus_is_big_enough_and_every_file_is_used():
    """At least 25 bad files, each small, each named in the manifest (and nothing listed is missing)."""
    files = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "manifest.toml" and p.name[0] not in "_."}
    used = {c["file"] for c in MANIFEST}
    assert len(files - {"valid_for_params.csv", "xlsx_valid_one_sheet.xlsx"}) >= 25
    assert files == used
    assert all((BAD / f).stat().st_size < 10_000 for f in files)


@pytest.fixture(scope="module")
def corpus_store(demo_file, tmp_path_factory):
    """One demo copy shared by the whole corpus, with its content dumped once: every rejected file
    must leave it exactly so (a case that wrote anything would fail itself and every later case)."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    shutil.copy(demo_file, path)
    s = Store.open(path)
    yield s, dump(s)
    s.close()


@pytest.mark.parametrize("case", MANIFEST, ids=[c.get("id", c["file"]) for c in MANIFEST])
def test_bad_file_is_rejected_and_nothing_changes(corpus_store, case):
    """Each bad file is refused with the expected Danish message; the database content is unchanged."""
    store, before = corpus_store
    keys = ("label", "source", "reference_date", "mapping", "sheet", "header_row", "allow_missing")
    params = {k: case[k] for k in keys if k in case}
    with pytest.raises(UserError) as info:
        if case.get("kind", "afdelingsdata") == "afdelingsdata":
            run_import(store, BAD / case["file"], **params)
        else:  # the generic path the Data page and the CLI use for the other kinds
            options = {"list_year": case.get("list_year", 2026), **params}
            plan = imports.plan_import(
                store, case["kind"], BAD / case["file"], options=options, mapping=case.get("mapping"), today=TODAY
            )
            imports.commit_import(store, plan, actor=ACTOR)
    text = str(info.value)
    assert case["file"] in info.value.message, text
    for fragment in case["expect"]:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    for fragment in case.get("absent", []):
        assert fragment not in text, text
    for problem in info.value.problems:  # every listed problem names the file
        words = ("Udgivelsen", "Kilden", "dato", "Listeåret", "Feltet")
        assert case["file"] in problem or any(w in problem for w in words), problem
    assert dump(store) == before


def test_bad_upload_bytes_are_rejected_with_the_given_name(store):
    """An upload (bytes) is named by its file name in the message."""
    before = dump(store)
    with pytest.raises(UserError, match="'upload af fejl.csv'"):
        run_import(store, (BAD / "share_140.csv").read_bytes(), file_name="upload af fejl.csv")
    assert dump(store) == before


def test_failed_commit_writes_nothing(store, monkeypatch):
    """If the values insert fails after the release row is in, the whole release is rolled back."""
    table = files.read_table(BAD / "valid_for_params.csv")
    plan = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    before = dump(store)

    def broken(tx, name, frame):
        raise duckdb.ConstraintException("simuleret fejl")

    monkeypatch.setattr(Transaction, "insert_frame", broken)
    with pytest.raises(UserError, match="kunne ikke gemmes, og intet er gemt"):
        indicators.commit(store, plan, actor=ACTOR)
    assert dump(store) == before


def test_commit_refuses_a_label_taken_after_validation(store):
    """Two imports of the same label: the second commit is refused and writes nothing."""
    table = files.read_table(BAD / "valid_for_params.csv")
    first = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    second = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    indicators.commit(store, first, actor=Actor("a", "admin"))
    before = dump(store)
    with pytest.raises(UserError, match="findes allerede"):
        indicators.commit(store, second, actor=Actor("b", "admin"))
    assert dump(store) == before


@pytest.mark.parametrize(
    "actor, message",
    [
        (None, "logget ind"),
        (Actor("læser", "viewer"), "må ikke indlæse"),
        (Actor("analytiker", "analyst"), "må ikke indlæse"),
    ],
)
def test_commit_needs_the_import_permission(store, actor, message):
    plan = indicators.validate_indicator_release(
        store, files.read_table(BAD / "valid_for_params.csv"), today=TODAY, **DEFAULTS
    )
    before = dump(store)
    with pytest.raises(UserError, match=message):
        indicators.commit(store, plan, actor=actor)
    assert dump(store) == before


def test_commit_logs_the_import_in_its_transaction(store):
    """The audit record names who, the file, its checksum and the number of departments."""
    table = files.read_table(BAD / "valid_for_params.csv")
    plan = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    indicators.commit(store, plan, actor=Actor("Ida", "admin", "ida@aalborg.dk"))
    log = store.audit_log(actions=["import"])
    assert len(log) == 1
    row = log.iloc[0]
    expected_sum = __import__("hashlib").sha256((BAD / "valid_for_params.csv").read_bytes()).hexdigest()
    assert (row["actor"], row["object"], row["file_name"], row["checksum"], row["n_rows"]) == (
        "ida@aalborg.dk",
        "test-ny",
        "valid_for_params.csv",
        expected_sum,
        len(table),
    )


# --- happy paths --------------------------------------------------------------------------------


def test_utf8_bom_semicolon_file_with_danish_numbers(store):
    """Decimal comma, dot grouping, NBSP grouping, '%' suffix and blank/suppressed cells."""
    text = (
        "Afdelings-id;Afdeling;Beboere (antal);Beboere 18–64 år (antal);Uden for arbejdsmarked og uddannelse (%);"
        "Dømte for overtrædelse af straffeloven m.fl. (%)\r\n"
        "101-003;Demo-afd. 3;1.234;812;12,5 %;0,8\r\n"
        "101-007;Demo-afd. 7;2\u00a0001;1 100;7;\r\n"
        "101-008;Demo-afd. 8;43;28;*;-\r\n"
    )
    plan = run_import(store, text.encode("utf-8-sig"), file_name="bom.csv")
    values = stored_values(store, "test-ny")
    assert values[("101-003", "residents")] == 1234
    assert values[("101-003", "pct_outside_labour")] == 12.5
    assert values[("101-003", "pct_convicted")] == 0.8
    assert values[("101-007", "residents")] == 2001
    assert values[("101-007", "residents_18_64")] == 1100
    assert np.isnan(values[("101-007", "pct_convicted")])
    assert np.isnan(values[("101-008", "pct_outside_labour")])
    assert plan.rows == 3 and plan.n_values == 12
    assert plan.ignored_columns == ["Afdeling"]
    row = store.releases().set_index("label").loc["test-ny"]
    assert (row["source"], row["imported_by"], row["file_name"], int(row["n_values"])) == (
        "Tvillingeværktøj",
        "test",
        "bom.csv",
        12,
    )
    import hashlib

    assert row["checksum"] == hashlib.sha256(text.encode("utf-8-sig")).hexdigest()


def test_cp1252_file(store):
    """A Windows-1252 file (Danish Excel's 'CSV (semikolonsepareret)') with æøå and an en dash."""
    text = (
        "Afdelings-id;Boligområde;Beboere 18–64 år;Kun grundskoleuddannelse (30–59 år) (%)\r\n"
        "101-003;Øster Å-kvarter;169;30,3\r\n"
    )
    data = text.encode("cp1252")
    table = files.read_table(data, "latin.csv")
    assert table.attrs["encoding"] == "cp1252"
    assert list(table.columns)[1] == "Boligområde"
    run_import(store, data, file_name="latin.csv")
    values = stored_values(store, "test-ny")
    assert values[("101-003", "residents_18_64")] == 169
    assert values[("101-003", "pct_basic_education")] == 30.3


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    front = book.active
    front.title = "Forside"
    front.append(["LBF Tvillingeværktøj – udtræk"])
    front.append(["afdelings_id", "noter"])  # a decoy header: no indicators
    data = book.create_sheet("Data")
    data.append(["Afdelingsdata, november"])
    data.append([])
    data.append(["Afd.-id", "Beboere", "Uden for arbejdsmarked og uddannelse (%)", "Fogedsager"])
    data.append(["101-003", 248, 19.9, 0])
    data.append(["101-007", "1.043", "27,2", None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("header_row", [None, 3])
def test_xlsx_with_chosen_sheet_and_header_on_row_3(store, header_row):
    """The header is found on row 3 (or given); numeric cells and Danish text numbers both read."""
    table = files.read_table(_workbook(), "lbf.xlsx", sheet="Data", header_row=header_row)
    assert table.attrs["header_row"] == 3 and table.attrs["sheet"] == "Data"
    assert table.attrs["sheets"] == ["Forside", "Data"]
    assert list(table.index) == [4, 5]
    plan = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    indicators.commit(store, plan, actor=ACTOR)
    values = stored_values(store, "test-ny")
    assert values[("101-003", "pct_outside_labour")] == 19.9
    assert values[("101-007", "residents")] == 1043
    assert values[("101-007", "pct_outside_labour")] == 27.2
    assert np.isnan(values[("101-007", "eviction_cases")])


def test_xlsx_without_sheet_picks_the_first_sheet_with_an_id_header():
    table = files.read_table(_workbook(), "lbf.xlsx")
    assert table.attrs["sheet"] == "Forside"  # first sheet with an id header wins
    assert list(table.columns) == ["afdelings_id", "noter"]


def test_alias_headers_in_a_comma_file(store):
    """English codes and Danish snake-case aliases, any case and punctuation, in a ','-separated file."""
    text = (
        "AFD_ID , Residents, andel_uden_beskaeftigelse,Andel dømte,  kun GRUNDSKOLE ,fraflytningsprocent\n"
        '101-003,"1,234",12.5,0.8,30.25,11\n'
    )
    plan = run_import(store, text.encode("utf-8"), file_name="english.csv")
    assert plan.columns == {
        "dept_id": "AFD_ID",
        "residents": "Residents",
        "pct_outside_labour": "andel_uden_beskaeftigelse",
        "pct_convicted": "Andel dømte",
        "pct_basic_education": "kun GRUNDSKOLE",
        "move_out_rate": "fraflytningsprocent",
    }
    values = stored_values(store, "test-ny")
    assert values[("101-003", "residents")] == 1234
    assert values[("101-003", "pct_basic_education")] == 30.25


def test_organisation_and_department_numbers_instead_of_id(store):
    text = "boligorganisation_nr;afd_nr;beboere\r\n101;3;248\r\n101;7;43\r\n"
    run_import(store, text.encode("utf-8"), file_name="numre.csv")
    values = stored_values(store, "test-ny")
    assert values[("101-003", "residents")] == 248
    assert values[("101-007", "residents")] == 43


def test_explicit_mapping_of_unknown_headers(store):
    """Unknown headers are pointed at fields; a mapping also overrides an alias match."""
    text = "Nummer;Kolonne B;Beboere;Egen beregning\r\n101-003;19,9;248;250\r\n"
    mapping = {"dept_id": "Nummer", "pct_outside_labour": "Kolonne B", "residents": "Egen beregning"}
    plan = run_import(store, text.encode("utf-8"), file_name="ukendt.csv", mapping=mapping)
    assert plan.columns["residents"] == "Egen beregning"
    assert plan.ignored_columns == ["Beboere"]
    values = stored_values(store, "test-ny")
    assert values[("101-003", "pct_outside_labour")] == 19.9
    assert values[("101-003", "residents")] == 250


def test_template_file_reads_and_only_its_fictional_departments_are_refused(store):
    """The shipped template's headers all resolve; its rows are fictional (unknown) departments."""
    table = files.read_table(TEMPLATES / "afdelingsdata.csv")
    used, ignored, problems = columns.resolve_columns(table)
    assert not problems and ignored == ["Afdeling"]
    assert set(used) == {"dept_id", *catalogue.indicators()}
    with pytest.raises(UserError) as info:
        indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    assert len(info.value.problems) == 2
    assert all("findes ikke i afdelingsregistret" in p for p in info.value.problems)


def test_template_readme_documents_every_column_and_alias():
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for fld, names in columns.aliases().items():
        assert f"| `{fld}` |" in readme
        for name in names:
            assert f"`{name}`" in readme, name


# --- header parsing (property based) ------------------------------------------------------------

ALIASES = [(fld, name) for fld, names in columns.aliases().items() for name in names]


@given(st.sampled_from(ALIASES), st.data())
def test_any_spelling_of_an_alias_matches_its_field(pair, data):
    """Case, surrounding/inner whitespace and punctuation do not matter."""
    fld, name = pair
    noise = st.sampled_from([" ", "_", "-", ".", "(", ")", "\u00a0", "/", ":", "%", "\t"])
    out = []
    for ch in name:
        out.append(ch.upper() if data.draw(st.booleans()) else ch.lower())
        out.append("".join(data.draw(st.lists(noise, max_size=2))))
    header = "".join(data.draw(st.lists(noise, max_size=2))) + "".join(out)
    assert columns.match_header(header) == fld


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_match_header_never_crashes_and_is_consistent(text):
    fld = columns.match_header(text)
    assert fld is None or columns.normalise_header(text) in {
        columns.normalise_header(a) for a in columns.aliases()[fld]
    }


def test_aliases_are_unambiguous():
    columns.alias_index.cache_clear()
    assert len(columns.alias_index()) == len({columns.normalise_header(n) for _, n in ALIASES})


# --- preview ------------------------------------------------------------------------------------


def test_preview_lists_missing_departments_and_colour_changes(store):
    """Drop three departments and push one green department over two thresholds."""
    rules = store.adopted_rule_set()
    current = classify_release(store, "2026-11", rules)
    outcome = pd.Series(current.result.outcome, index=current.data.frame.index)
    green = outcome[outcome == "green"].index[0]
    dropped = list(outcome.index[-3:])
    body = indicators.export_release_template(store, "2026-11")
    table = files.read_table(body, "ny.csv")
    table = table[~table["Afdelings-id"].isin(dropped)].copy()
    row = table.index[table["Afdelings-id"] == green][0]
    table.loc[row, "Uden for arbejdsmarked og uddannelse (%)"] = "55,0"
    table.loc[row, "Kun grundskoleuddannelse (30–59 år) (%)"] = "75,0"
    before = dump(store)
    plan = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    pre = indicators.preview(store, plan, rules)
    assert dump(store) == before  # preview writes nothing
    assert pre.previous_label == "2026-11"
    assert sorted(pre.missing["dept_id"]) == sorted(dropped)
    assert pre.added.empty
    assert len(pre.departments) == len(outcome) - 3
    changes = pre.changes.set_index("dept_id")
    assert list(changes.index) == [green]
    assert (changes.loc[green, "before"], changes.loc[green, "after"]) == ("green", "yellow")
    assert changes.loc[green, "after_label"] == next(o.label for o in rules.outcomes if o.code == "yellow")
    assert pre.counts["after"].sum() == len(outcome) - 3
    # the preview's frame is what the store resolves once the plan is committed
    indicators.commit(store, plan, actor=ACTOR)
    stored = store.release_data("test-ny").frame
    pd.testing.assert_frame_equal(pre.data.frame.sort_index(), stored.sort_index(), check_like=True)
    after = classify_release(store, "test-ny", rules)
    assert after.result.outcome[after.data.frame.index.get_loc(green)] == "yellow"


def test_preview_needs_a_department_rule_set(store):
    plan = indicators.validate_indicator_release(
        store, files.read_table(BAD / "valid_for_params.csv"), today=TODAY, **DEFAULTS
    )
    with pytest.raises(UserError, match="gælder for områder, ikke afdelinger"):
        indicators.preview(store, plan, store.rule_set("ministeriet"))


def test_preview_on_an_empty_database(tmp_path):
    """Without earlier releases there is nothing missing and nothing before."""
    s = Store.open(tmp_path / "empty.duckdb")
    demo = build_demo()
    with s.transaction() as cur:
        from trappetrin.store import _insert_frame

        _insert_frame(cur, "organisations", demo.organisations)
        _insert_frame(cur, "departments", demo.departments)
    plan = indicators.validate_indicator_release(
        s, files.read_table(BAD / "valid_for_params.csv"), today=TODAY, **DEFAULTS
    )
    pre = indicators.preview(s, plan, s.adopted_rule_set())
    assert pre.previous_label is None and pre.missing.empty and pre.changes.empty
    assert sorted(pre.added["dept_id"]) == ["101-003", "101-007"]
    s.close()


# --- export and round trip ----------------------------------------------------------------------


def test_export_is_danish_excel_csv_with_discretion(store):
    body = indicators.export_release_template(store, "2026-11")
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    table = files.read_table(body, "eksport.csv")
    assert list(table.columns) == indicators.template_columns()
    assert table.attrs["delimiter"] == ";"
    rules = store.adopted_rule_set()
    res = classify_release(store, "2026-11", rules)
    grey = set(res.data.frame.index[res.result.masked])
    assert grey, "the demo has departments under the discretion limit"
    shown = table.set_index("Afdelings-id").drop(columns="Afdeling")
    assert (shown.loc[sorted(grey)] == "").all().all()  # no value of a grey department leaves
    assert (shown.drop(index=sorted(grey)) != "").all().all()
    with pytest.raises(UserError, match="ingen afdelingsværdier"):
        indicators.export_release_template(store, "2025-12")  # a ministry-list release


def test_round_trip_gives_the_same_colours_for_every_release(demo_file, tmp_path):
    """Export every demo values release, import them into a database with only the register and
    the ministry lists, and get the same colours for every release (values releases and lists)."""
    source = Store.open(shutil.copy(demo_file, tmp_path / "source.duckdb"))
    target = Store.open(shutil.copy(demo_file, tmp_path / "target.duckdb"))
    with target.transaction() as cur:
        cur.execute("DELETE FROM indicator_values")
    with target.transaction() as cur:
        cur.execute("DELETE FROM releases WHERE n_values > 0")
    assert target.scalar("SELECT count(*) FROM indicator_values") == 0
    values_releases = source.releases().query("n_values > 0")
    for row in values_releases.itertuples():
        body = indicators.export_release_template(source, row.label)
        run_import(
            target,
            body,
            file_name=f"{row.label}.csv",
            label=row.label,
            source=row.source,
            reference_date=row.reference_date.date(),
        )
    assert target.release_labels() == source.release_labels()
    for name in ("trappetrin",):
        rules = source.rule_set(name)
        for label in source.release_labels():
            a = classify_release(source, label, rules)
            b = classify_release(target, label, rules)
            pd.testing.assert_series_equal(
                pd.Series(a.result.outcome, index=a.data.frame.index).sort_index(),
                pd.Series(b.result.outcome, index=b.data.frame.index).sort_index(),
                obj=f"{name} {label}",
            )
            # every value that may be shown survives exactly
            shown = ~a.result.masked
            codes = list(catalogue.indicators())
            pd.testing.assert_frame_equal(
                a.data.frame.loc[shown, codes].sort_index(),
                b.data.frame.loc[a.data.frame.index[shown], codes].sort_index(),
                obj=label,
            )
    target_rel = target.releases().set_index("label")
    assert set(target_rel.loc[values_releases["label"], "imported_by"]) == {"test"}
    assert len(target.audit_log(actions=["import"])) == len(values_releases)
    assert target_rel.loc[values_releases["label"], "checksum"].str.fullmatch(r"[0-9a-f]{64}").all()
    source.close()
    target.close()


def test_read_table_index_is_the_spreadsheet_row_number():
    text = "titel\r\n\r\nafdelings_id;beboere\r\n101-003;1\r\n\r\n101-007;2\r\n"
    table = files.read_table(text.encode(), "r.csv")
    assert table.attrs["header_row"] == 3
    assert list(table.index) == [4, 6]
    assert re.fullmatch(r"[0-9a-f]{64}", table.attrs["checksum"])


def test_the_same_file_twice_is_refused(store):
    """Re-importing identical bytes under a new label is refused: it is already stored."""
    run_import(store, BAD / "valid_for_params.csv")
    before = dump(store)
    with pytest.raises(UserError, match="allerede indlæst som udgivelsen 'test-ny'"):
        run_import(store, BAD / "valid_for_params.csv", label="test-igen")
    assert dump(store) == before


def test_problems_are_listed_row_by_row():
    """Cell problems come in spreadsheet order (row, then column), so a user can fix top-down."""
    text = "afdelings_id;beboere;pct_outside_labour\r\n101-003;-1;101\r\n101-007;mange;-2\r\n"
    s = Store.open(":memory:")
    demo = build_demo()
    with s.transaction() as cur:
        from trappetrin.store import _insert_frame

        _insert_frame(cur, "organisations", demo.organisations)
        _insert_frame(cur, "departments", demo.departments)
    with pytest.raises(UserError) as info:
        indicators.validate_indicator_release(s, files.read_table(text.encode(), "orden.csv"), today=TODAY, **DEFAULTS)
    rows = [re.search(r"række (\d+), kolonne '(\w+)'", p).groups() for p in info.value.problems]
    assert rows == [("2", "beboere"), ("2", "pct_outside_labour"), ("3", "beboere"), ("3", "pct_outside_labour")]


def test_many_problems_come_in_sheet_order_with_duplicates_last(store):
    with pytest.raises(UserError) as info:
        run_import(store, BAD / "many_problems.csv")
    rows = [int(m.group(1)) if (m := re.search(r"række (\d+), kolonne", p)) else 99 for p in info.value.problems]
    assert rows == [2, 3, 4, 4, 99]
    assert "optræder flere gange" in info.value.problems[-1]


def test_xlsx_percent_formatted_cells_are_read_in_percent(store):
    """Excel stores 27,2 % as 0.272 in a cell formatted '0,0 %'; the importer reads 27.2."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["afdelings_id", "pct_outside_labour", "beboere"])
    ws.append(["101-003", 0.272, 248])
    ws["B2"].number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    run_import(store, buffer.getvalue(), file_name="procent.xlsx")
    values = stored_values(store, "test-ny")
    assert values[("101-003", "pct_outside_labour")] == 27.2
    assert values[("101-003", "residents")] == 248


def test_progress_is_reported_up_to_done(store):
    seen: list[tuple[float, str]] = []
    run_import(store, BAD / "valid_for_params.csv", progress=lambda f, t: seen.append((f, t)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0
    assert seen[-1] == (1.0, "Udgivelsen 'test-ny' er gemt")
    assert all(isinstance(t, str) and t for _, t in seen)


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="'findes-ikke.csv' findes ikke") as info:
        files.read_table(tmp_path / "findes-ikke.csv")
    assert "No such file" not in str(info.value)  # the system's English text is not passed on
    with pytest.raises(UserError, match="er en mappe"):
        files.read_table(tmp_path)


# --- reading any table back (property based) -----------------------------------------------------


@pytest.fixture(scope="module")
def register_store():
    """An in-memory database with only the demo register (for validation without writing)."""
    s = Store.open(":memory:")
    demo = build_demo()
    with s.transaction() as cur:
        from trappetrin.store import _insert_frame

        _insert_frame(cur, "organisations", demo.organisations)
        _insert_frame(cur, "departments", demo.departments)
    yield s, list(demo.departments["dept_id"])
    s.close()


share = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=40)
@given(
    data=st.data(),
    flavour=st.sampled_from(["danish-utf8-bom", "danish-cp1252", "english-utf8", "tab"]),
    headers=st.sampled_from(["labels", "codes"]),
)
def test_any_written_table_reads_back_to_the_same_values(register_store, data, flavour, headers):
    """A release written as Danish Excel, cp1252, English CSV or tab-separated text validates to
    exactly the values it was written from (including blanks)."""
    store, dept_ids = register_store
    ids = data.draw(st.lists(st.sampled_from(dept_ids), min_size=1, max_size=8, unique=True))
    codes = data.draw(st.lists(st.sampled_from(list(catalogue.indicators())), min_size=1, max_size=5, unique=True))
    frame = pd.DataFrame({"afdelings_id": ids})
    for code in codes:
        high = catalogue.plausibility().ranges[code][1]  # within the plausibility rules
        strategy = st.integers(0, int(high)).map(float) if catalogue.unit(code) == "antal" else share
        frame[code] = data.draw(st.lists(st.one_of(strategy, st.just(np.nan)), min_size=len(ids), max_size=len(ids)))
    for _ in catalogue.plausibility().parts:  # a subgroup is never larger than its group (chains settle)
        for part, whole in catalogue.plausibility().parts:
            if part in frame and whole in frame:
                frame[part] = frame[part].where(~(frame[part] > frame[whole]), frame[whole])
    assume(frame[codes].notna().to_numpy().any())  # a file with no value at all is refused
    written = frame.rename(columns={c: columns.field_label(c) for c in codes}) if headers == "labels" else frame
    sep, decimal, encoding = {
        "danish-utf8-bom": (";", ",", "utf-8-sig"),
        "danish-cp1252": (";", ",", "cp1252"),
        "english-utf8": (",", ".", "utf-8"),
        "tab": ("\t", ",", "utf-8"),
    }[flavour]
    body = written.to_csv(sep=sep, decimal=decimal, index=False).encode(encoding)
    table = files.read_table(body, "skrevet.csv")
    assert table.attrs["delimiter"] == sep
    plan = indicators.validate_indicator_release(store, table, today=TODAY, **DEFAULTS)
    got = plan.values.pivot(index="dept_id", columns="indicator", values="value")
    want = frame.set_index("afdelings_id")[codes]
    pd.testing.assert_frame_equal(got.loc[ids, codes], want, check_names=False, check_dtype=False)


def test_utf16_tab_file_as_excel_saves_unicode_text():
    """Excel's 'Unicode-tekst' is UTF-16 with a BOM and tabs."""
    text = "Afdelings-id\tBeboere 18–64 år\r\n101-003\t169\r\n"
    table = files.read_table(text.encode("utf-16"), "unicode.txt")
    assert table.attrs["encoding"] == "utf-16" and table.attrs["delimiter"] == "\t"
    assert table.loc[2, "Beboere 18–64 år"] == "169"


def test_upload_without_a_name_is_sniffed():
    assert files.read_table((BAD / "xlsx_valid_one_sheet.xlsx").read_bytes()).attrs["format"] == "xlsx"
    assert files.read_table((BAD / "valid_for_params.csv").read_bytes()).attrs["format"] == "csv"
