"""The command line: releases, classify (Danish-Excel CSV, golden file), check-areas, error paths.

Golden files live in ``tests/unit/golden/``. After an intended change of the output, rewrite them
with ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_cli.py`` and review the diff.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.support.csvfiles import normalise_dannet
from trappetrin.cli import main
from trappetrin.store import open_store

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, actual: bytes) -> None:
    """Compare ``actual`` with the whole golden file; ``UPDATE_GOLDEN=1`` rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
        return
    assert path.exists(), f"{path} is missing; create it with UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    if actual != expected:
        diff = [(i, a, e) for i, (a, e) in enumerate(zip(actual.splitlines(), expected.splitlines())) if a != e]
        first = diff[0] if diff else ("(length differs)", len(actual), len(expected))
        pytest.fail(
            f"{name} differs from the golden file (first difference at line {first[0]}):\n"
            f"  actual:   {first[1]!r}\n  expected: {first[2]!r}\n"
            "Rewrite with UPDATE_GOLDEN=1 if the change is intended."
        )


@pytest.fixture(scope="module", autouse=True)
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once for this module by ``main(["demo"])``, set as TRAPPETRIN_DB."""
    path = tmp_path_factory.mktemp("cli") / "trappetrin.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAPPETRIN_DB", str(path))
        assert main(["demo"]) == 0
        yield path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def classify_bytes(tmp_path: Path, release: str, *extra: str) -> bytes:
    out = tmp_path / f"{release}.csv"
    assert main(["classify", "--release", release, "--rules", "trappetrin", *extra, "--out", str(out)]) == 0
    return out.read_bytes()


def assert_one_danish_line(err: str) -> None:
    """A user error is one line starting with "Fejl:", and never a traceback."""
    assert err.startswith("Fejl: "), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err


# --- releases and classify ---------------------------------------------------------------


def test_releases_lists_every_demo_release(capsys):
    """``releases`` prints one tab-separated line per release: the demo has 13, oldest first."""
    code, out, _ = run_cli(capsys, "releases")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 13
    labels = [line.split("\t")[0] for line in lines]
    assert labels[0] == "2022-11" and labels[-1] == "2026-11"
    assert labels == sorted(labels)
    assert all(len(line.split("\t")) == 4 for line in lines)


def test_classify_writes_csv_for_danish_excel(tmp_path, capsys):
    """``classify --out F`` writes UTF-8 with BOM, ``;`` separators, decimal commas and CRLF."""
    data = classify_bytes(tmp_path, "2026-11")
    assert "Skrev" in capsys.readouterr().err
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header = text.split("\r\n")[0]
    assert header.startswith("Afdelings-id;Afdeling;Boligorganisation;")
    assert "," not in header.replace("m.fl.", "")  # no comma separators
    table = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(table) == 271
    share = table["Uden for arbejdsmarked og uddannelse (%)"]
    assert share.dtype == float and share.notna().sum() > 250
    assert re.search(r";\d+,\d;", text), "decimal comma in the values"
    assert set(table["Udgivelse"]) == {"2026-11"}


def test_classify_to_stdout_equals_out_file(tmp_path, capsysbinary):
    """Without ``--out`` the same bytes go to stdout (apart from the generation minute)."""
    assert main(["classify", "--release", "2024-11", "--rules", "trappetrin"]) == 0
    stdout = capsysbinary.readouterr().out
    assert normalise_dannet(stdout) == normalise_dannet(classify_bytes(tmp_path, "2024-11"))


def test_classify_plain_format(tmp_path):
    """``--format plain`` is comma-separated with a decimal point and no BOM."""
    data = classify_bytes(tmp_path, "2026-11", "--format", "plain")
    assert not data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data))
    assert len(table) == 271 and table["Afdelings-id"].is_unique


def test_classify_matches_golden_file(tmp_path):
    """The whole colour list of release 2023-11 under trappetrin is unchanged (Dannet normalised).

    Guards the demo generator, the engine, the column set and the Danish-Excel format at once.
    """
    assert_golden("classify_2023-11_trappetrin.csv", normalise_dannet(classify_bytes(tmp_path, "2023-11")))


# --- check-areas -------------------------------------------------------------------------

#: Hand-derived expectations for tests/unit/golden/areas_input.csv; see the test's docstring.
EXPECTED_AREAS = {
    "Grænse 40 procent": ("ingen", 1, 2),
    "Tre gange landsgennemsnit": ("udsat", 2, 4),
    "Omdannelse": ("omdannelse", 3, 3),
    "Parallelsamfund tre år før": ("parallelsamfund", 3, 3),
    "Forebyggelse": ("forebyggelse", 0, 3),
    "Ikke-vestlige præcis 30": ("ingen", 0, 3),
    "Under 1000 beboere": ("ingen", 4, 4),
    "Parallelsamfund 2019": ("parallelsamfund", 2, None),
    "Almindeligt område": ("ingen", 0, 0),
}


def test_check_areas_matches_hand_reasoned_statuses(tmp_path, capsys):
    """Every status in areas_input.csv, derived by hand from docs/domain.md §2 (and the golden file).

    Udsat criteria (§61a): outside labour > 40, convicted ≥ 3 × national, basic education > 60,
    income < 55; forebyggelse (§61b): > 30, ≥ 2 ×, > 60, < 65, gate non-Western > 30. All need
    ≥ 1,000 residents and 2 of 4. Rule order: omdannelse, parallelsamfund, udsat, forebyggelse.

    - Grænse 40 procent (2023): udsat 40,0 > 40 no, 1,0 ≥ 2,34 no, 61 > 60 yes, 70 < 55 no → 1;
      forebyggelse 40 > 30 yes, 1,0 ≥ 1,56 no, 61 yes, 70 < 65 no → 2, but non-Western 25 is not
      > 30 → **ingen**. Exactly 40,0 % does not count (with ≥ it would be udsat).
    - Tre gange landsgennemsnit (2023): udsat 35 no, 2,34 ≥ 3 × 0,78 = 2,34 **yes** (exactly 3 ×
      counts), 62 yes, 60 < 55 no → 2; non-Western 45 ≤ 50 → **udsat** (udsat is tried before
      forebyggelse); forebyggelse 35, 2,34 ≥ 1,56, 62, 60 < 65 → 4.
    - Omdannelse (2023): udsat 45 yes, 1,0 no, 65 yes, 50 < 55 yes → 3; non-Western 60 > 50 and
      4 earlier parallelsamfund years ≥ 4 → **omdannelse**; forebyggelse 45, no, 65, 50 < 65 → 3.
    - Parallelsamfund tre år før: the same figures with only 3 earlier years → **parallelsamfund**.
    - Forebyggelse (2023, years cell empty = 0): udsat 32 no, 1,6 < 2,34, 50 no, 62 ≥ 55 → 0;
      forebyggelse 32 > 30, 1,6 ≥ 1,56, 50 no, 62 < 65 → 3; non-Western 35 > 30 → **forebyggelse**.
    - Ikke-vestlige præcis 30 (2024): the same but non-Western exactly 30, not > 30 → **ingen**.
    - Under 1000 beboere (2023): every criterion met (4 and 4) and non-Western 70, 5 years, but
      999 residents < 1,000 → **ingen**.
    - Parallelsamfund 2019: the 2018 rules (no forebyggelse list, so that count is empty): 42 > 40
      yes, 1,0 ≥ 3 × 0,68 = 2,04 no, 61 yes, 60 < 55 no → 2; non-Western 55 > 50, 2 years < 4 →
      **parallelsamfund**.
    - Almindeligt område (2024): no criterion → **ingen**, 0 and 0.
    """
    out = tmp_path / "areas.csv"
    code, _, err = run_cli(capsys, "check-areas", str(GOLDEN / "areas_input.csv"), "--out", str(out))
    assert code == 0, err
    result = pd.read_csv(out, dtype={"criteria_met_forebyggelse": "Int64"})
    got = {
        row.area: (
            row.status,
            int(row.criteria_met_udsat),
            None if pd.isna(row.criteria_met_forebyggelse) else int(row.criteria_met_forebyggelse),
        )
        for row in result.itertuples()
    }
    assert got == EXPECTED_AREAS
    assert_golden("areas_expected.csv", out.read_bytes())


@pytest.mark.parametrize("form", ["cp1252", "utf-16", "xlsx"])
def test_check_areas_accepts_every_file_import_accepts(tmp_path, capsys, form):
    """check-areas reads its file as an import does (trappetrin.imports.files): the golden input
    saved as Windows-1252 (Excel's "CSV (semikolonsepareret)", 'æøå' as single bytes), as UTF-16
    (Excel's "Unicode-tekst") or as an XLSX workbook gives the very same output as the UTF-8 file."""
    text = (GOLDEN / "areas_input.csv").read_text(encoding="utf-8-sig")
    assert any(c in text for c in "æøåÆØÅ")  # the encodings differ on this file
    source = tmp_path / f"areas.{'xlsx' if form == 'xlsx' else 'csv'}"
    if form == "xlsx":
        rows = [line.split(";") for line in text.splitlines() if line]
        frame = pd.DataFrame(rows[1:], columns=rows[0])
        for column in frame.columns[1:]:  # numbers as numbers, as Excel stores them
            frame[column] = pd.to_numeric(frame[column].str.replace(",", "."))
        frame.to_excel(source, index=False)
    else:
        source.write_bytes(text.encode(form))
    out = tmp_path / "areas.csv"
    code, _, err = run_cli(capsys, "check-areas", str(source), "--out", str(out))
    assert code == 0, err
    assert out.read_bytes() == (GOLDEN / "areas_expected.csv").read_bytes()


def _areas_file(tmp_path: Path, text: str, name: str = "omraader.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = (
    "area;year;residents;pct_outside_labour;pct_convicted;national_pct_convicted;"
    "pct_basic_education;income_pct_of_region;pct_nonwestern\n"
)
GOOD_ROW = "Eksempel;2024;1500;35,0;1,0;0,78;50,0;70,0;20,0\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEADER.replace(";pct_nonwestern", "") + GOOD_ROW.rsplit(";", 1)[0] + "\n",
            ["omraader.csv", "mangler kolonnerne pct_nonwestern"],
            id="missing-column",
        ),
        pytest.param(
            HEADER + GOOD_ROW + "Andet;2024;1500;abc;1,0;0,78;50,0;70,0;20,0\n",
            ["omraader.csv", "række 3", "kolonne pct_outside_labour", "'abc' er ikke et tal"],
            id="not-a-number",
        ),
        pytest.param(
            HEADER + "Andet;2024;1500;35,0;1,0;0,78;50,0;70,0;140 %\n",
            ["omraader.csv", "række 2", "kolonne pct_nonwestern", "mellem 0 og 100"],
            id="share-140",
        ),
        pytest.param("", ["omraader.csv", "kan ikke læses"], id="empty-file"),
        pytest.param(HEADER, ["omraader.csv", "ingen rækker"], id="header-only"),
    ],
)
def test_check_areas_rejects_bad_input_with_a_danish_line(tmp_path, capsys, text, expected):
    """Bad area files exit with 2 and one Danish line naming the file, and row and column if any."""
    code, out, err = run_cli(capsys, "check-areas", str(_areas_file(tmp_path, text)))
    assert code == 2
    assert out == ""
    assert_one_danish_line(err)
    for part in expected:
        assert part in err, f"{part!r} not in {err!r}"


def test_check_areas_missing_file(tmp_path, capsys):
    """A file that does not exist is bad input too (exit 2), and the message names it."""
    code, _, err = run_cli(capsys, "check-areas", str(tmp_path / "findes-ikke.csv"))
    assert code == 2
    assert_one_danish_line(err)
    assert "findes-ikke.csv" in err and "findes ikke" in err


# --- user errors and misuse ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(
            ["classify", "--release", "1999-01", "--rules", "trappetrin"],
            ["Udgivelsen '1999-01' findes ikke", "2026-11"],
            id="unknown-release",
        ),
        pytest.param(
            ["classify", "--release", "2026-11", "--rules", "findes-ikke"],
            ["Regelsættet 'findes-ikke' findes ikke", "trappetrin"],
            id="unknown-rule-set",
        ),
    ],
)
def test_user_errors_exit_1_with_one_danish_line(capsys, argv, expected):
    """An unknown release or rule set exits with 1 and one Danish line listing what exists."""
    code, out, err = run_cli(capsys, *argv)
    assert code == 1
    assert out == ""
    assert_one_danish_line(err)
    for part in expected:
        assert part in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["classify", "--release", "2026-11"], id="missing-option"),
        pytest.param(["klassificer"], id="unknown-command"),
        pytest.param(["classify", "--release", "2026-11", "--rules", "trappetrin", "--format", "xls"], id="bad-choice"),
        pytest.param([], id="no-command"),
    ],
)
def test_argparse_misuse_exits_2_with_one_danish_line(capsys, argv):
    """Calling the CLI wrongly exits with 2 and one line that starts in Danish and points to --help."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert_one_danish_line(err)
    assert err.startswith("Fejl: ugyldigt kald") and "--help" in err
    assert not re.search(r"required|invalid choice|unrecognized|expected one", err), "argparse's English leaked"


# --- a database for real data ----------------------------------------------------------------


def test_init_creates_an_empty_database_that_is_not_demo_and_ensure_db_leaves_it(tmp_path, capsys, monkeypatch):
    """``init`` makes a new, empty, non-demo database (the start for real data); ``ensure-db``
    (what ./run.sh calls) then keeps it as it is instead of building the demo into it."""
    from trappetrin.store import open_store

    path = tmp_path / "aalborg.duckdb"
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    code, out, err = run_cli(capsys, "init")
    assert code == 0 and out == ""
    assert "Tom database oprettet" in err and str(path) in err
    assert run_cli(capsys, "ensure-db")[0] == 0
    store = open_store(path)
    try:
        assert not store.is_demo
        assert store.release_labels() == []
        assert store.scalar("SELECT count(*) FROM departments") == 0
    finally:
        store.close()


def test_init_refuses_an_existing_file_and_leaves_it_unchanged(capsys, demo_db):
    """Over an existing database (here the module's demo) ``init`` exits 1 with one Danish line."""
    before = demo_db.read_bytes()
    code, out, err = run_cli(capsys, "init")
    assert code == 1 and out == ""
    assert_one_danish_line(err)
    assert "findes allerede" in err and "TRAPPETRIN_DB" in err
    assert demo_db.read_bytes() == before


# --- demo never deletes real data (issue 19.1) -----------------------------------------------


def _log(path: Path, actor: str) -> None:
    store = open_store(path)
    try:
        store.log_event(actor, "export", "farveliste")
    finally:
        store.close()


def _facts(path: Path) -> tuple[bool, int]:
    """(is demo, events by the actor "test") of the database at ``path``."""
    store = open_store(path)
    try:
        return store.is_demo, store.scalar("SELECT count(*) FROM audit_log WHERE actor = 'test'")
    finally:
        store.close()


def test_demo_refuses_an_existing_demo_database_without_force(demo_db, capsys):
    before = demo_db.read_bytes()
    code, _, err = run_cli(capsys, "demo")
    assert code == 2
    assert "allerede er en demodatabase" in err and "--force" in err and str(demo_db) in err
    assert demo_db.read_bytes() == before


def test_demo_force_rebuilds_a_demo_database(tmp_path, capsys, monkeypatch):
    path = tmp_path / "demo.duckdb"
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    assert main(["demo"]) == 0
    _log(path, "test")  # something the rebuild must remove
    code, _, err = run_cli(capsys, "demo", "--force")
    assert code == 0, err
    assert _facts(path) == (True, 0)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_demo_never_deletes_a_real_database(tmp_path, capsys, monkeypatch, force):
    """A database made with ``init`` (real data) survives ``demo``, even ``demo --force``."""
    path = tmp_path / "rigtig.duckdb"
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    assert main(["init"]) == 0
    _log(path, "test")
    capsys.readouterr()
    before = path.read_bytes()
    code, out, err = run_cli(capsys, "demo", *force)
    assert code == 2
    assert "rigtige data" in err and "slettes ikke" in err and str(path) in err
    assert "Traceback" not in err + out
    assert path.read_bytes() == before
    assert _facts(path) == (False, 1)


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_demo_never_deletes_a_file_that_is_not_a_database(tmp_path, capsys, monkeypatch, force):
    path = tmp_path / "noter.duckdb"
    path.write_text("vigtige noter, ikke en database\n", encoding="utf-8")
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    code, _, err = run_cli(capsys, "demo", *force)
    assert code == 2
    assert "slettes ikke" in err
    assert path.read_text(encoding="utf-8") == "vigtige noter, ikke en database\n"


def test_readme_shows_every_command():
    """The README's command list cannot go stale: every subcommand of the parser appears in it."""
    import argparse

    from trappetrin.cli import _parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [name for name in sub.choices if f"trappetrin {name}" not in readme]
    assert not missing, f"README.md does not show: {missing}"
