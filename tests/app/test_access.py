"""Login, roles and the audit trail in the app (issue 6).

Login is simulated with Streamlit's own AppTest seam: ``at.secrets["auth"]`` makes the app see a
configured ``[auth]`` section (ui/auth.py reads ``st.secrets``), and ``at.user`` is what
``st.user`` returns — ``{"is_logged_in": True, "email": …}`` for a logged-in user. The roles come
from a roles file written per test and named by ``TRAPPETRIN_ROLES``. No production test seam
(such as an environment variable that logs someone in) exists, so none can be left on by mistake.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_eksport import downloads  # noqa: F401 - the fixture that reads a download button's file
from trappetrin.auth import Actor
from trappetrin.errors import UserError
from trappetrin.export import to_csv_danish
from trappetrin.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
AUTH = {  # never contacted: AppTest does not run the OIDC flow
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "trappetrin-test",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = """
[users]
"vera@aalborg.dk" = "viewer"
"ana@aalborg.dk" = "analyst"
"adam@aalborg.dk" = "admin"
"""
USERS = {"viewer": "vera@aalborg.dk", "analyst": "ana@aalborg.dk", "admin": "adam@aalborg.dk"}
ALL_PAGES = [
    "oversigt",
    "scenarie",
    "udvikling",
    "afdeling",
    "tvillinger",
    "anvisning",
    "opfoelgning",
    "eksport",
    "data",
    "revision",
]
EXPECTED_PAGES = {
    "viewer": {"oversigt", "udvikling", "afdeling", "tvillinger", "anvisning", "opfoelgning"},
    "analyst": {"oversigt", "scenarie", "udvikling", "afdeling", "tvillinger", "anvisning", "opfoelgning", "eksport"},
    "admin": {
        "oversigt",
        "scenarie",
        "udvikling",
        "afdeling",
        "tvillinger",
        "anvisning",
        "opfoelgning",
        "eksport",
        "data",
        "revision",
    },
}
OUTSIDE = "c.forebyggelse.outside_labour"


@pytest.fixture
def roles(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("TRAPPETRIN_ROLES", str(path))
    return path


def existing(pages: set[str]) -> set[str]:
    """The pages whose file exists (the Data page is added by another change)."""
    return {p for p in pages if (REPO_ROOT / "pages" / f"{p}.py").exists()}


def login_app(user: dict | None, params: dict[str, str] | None = None, script: str = "app.py") -> AppTest:
    """A run AppTest with ``[auth]`` configured and ``user`` as ``st.user`` (None: logged out)."""
    at = AppTest.from_file(str(REPO_ROOT / script), default_timeout=TIMEOUT_S)
    at.secrets["auth"] = dict(AUTH)
    at.user = user if user is not None else {"is_logged_in": False}
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def as_role(role: str, params: dict[str, str] | None = None) -> AppTest:
    return login_app({"is_logged_in": True, "email": USERS[role], "name": role.title()}, params)


def reachable(at: AppTest) -> set[str]:
    """The pages AppTest can switch to, i.e. the pages ``st.navigation`` registered for this user."""
    out = set()
    for page in ALL_PAGES:
        if not (REPO_ROOT / "pages" / f"{page}.py").exists():
            continue
        try:
            at.switch_page(f"pages/{page}.py")
        except ValueError:
            continue
        out.add(page)
    return out  # (switch_page does not run; open_page() picks the page to run next)


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value)
        for e in list(at.markdown)
        + list(at.caption)
        + list(at.warning)
        + list(at.error)
        + list(at.info)
        + list(at.title)
    )


# --- local mode ----------------------------------------------------------------------------------


def test_local_mode_says_so_and_opens_everything(app):
    """Without [auth] there is no login: the banner says so and the local user has every page."""
    at = app()
    assert not at.exception
    assert any(w.value == "Lokal tilstand – ingen login; alle funktioner er åbne" for w in at.sidebar.warning)
    assert reachable(at) == existing(EXPECTED_PAGES["admin"])
    assert "Log ind" not in buttons(at)


# --- login mode ----------------------------------------------------------------------------------


def test_logged_out_user_sees_only_the_login_screen(db, roles):
    """With [auth] configured, a visitor gets the login button and no page, data or sidebar."""
    at = login_app(None, {"udgivelse": "2026-11"})
    assert not at.exception
    assert buttons(at) == {"Log ind"}
    assert reachable(at) == set()
    assert not at.dataframe and not at.sidebar.selectbox and not at.metric
    assert "Lokal tilstand" not in texts(at)


def test_logged_in_user_without_a_role_is_turned_away(db, roles):
    """A valid login that the roles file does not know gets a message and a log-out button only."""
    at = login_app({"is_logged_in": True, "email": "ukendt@example.com"})
    assert not at.exception
    assert "ukendt@example\\.com er logget ind, men har ingen rolle" in texts(at)
    assert buttons(at) == {"Log ud"}
    assert reachable(at) == set()
    assert not at.dataframe


def test_a_broken_roles_file_fails_closed(db, roles):
    roles.write_text('[users]\n"adam@aalborg.dk" = "superadmin"\n', encoding="utf-8")
    at = as_role("admin")
    assert any("superadmin" in e.value for e in at.error)
    assert reachable(at) == set()


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_each_role_gets_exactly_its_pages(db, roles, role):
    """The navigation registers only the pages of the role; the sidebar names who is logged in."""
    at = as_role(role)
    assert not at.exception
    assert reachable(at) == existing(EXPECTED_PAGES[role])
    label = {"viewer": "læser", "analyst": "analytiker", "admin": "administrator"}[role]
    assert any(
        c.value == f"Logget ind som {USERS[role].replace('.', chr(92) + '.')} · {label}" for c in at.sidebar.caption
    )
    assert "Lokal tilstand" not in texts(at)


@pytest.mark.parametrize(("role", "save", "adopt"), [("analyst", True, False), ("admin", True, True)])
def test_scenario_buttons_follow_the_role(db, roles, role, save, adopt):
    """An analyst may save a scenario but not adopt it; an admin may do both."""
    at = open_page(as_role(role, {"udgivelse": "2026-11"}), "scenarie")
    at.text_input(key="p." + OUTSIDE).input("35").run()  # issue 14: a text field taking a Danish number
    at.segmented_control(key="scenarie_visning").set_value("Gem og vedtag").run()
    assert not at.exception
    assert ("Gem scenarie" in buttons(at)) is save
    assert ("Vedtag scenariet" in buttons(at)) is adopt
    if not adopt:
        assert "Kun en administrator kan vedtage et regelsæt." in texts(at)


def test_viewer_sees_the_adopted_rule_set_only_and_no_scenario(db, roles):
    """A scenario link or another rule set in the URL does not change what a viewer sees."""
    store = Store.open(db)
    try:
        base = store.rule_set("trappetrin")
        store.save_rule_set(base.with_overrides({OUTSIDE: 35.0}), actor=Actor("a", "admin"), name="forslag")
    finally:
        store.close()
    at = as_role("viewer", {"udgivelse": "2026-11", "regelsaet": "forslag@1", "p." + OUTSIDE: "35"})
    assert not at.exception
    picker = at.sidebar.selectbox(key="regelsaet")
    assert picker.options == ["trappetrin (v1) – vedtaget"]
    assert not any("Scenarie aktivt" in i.value for i in at.sidebar.info)
    assert "p." + OUTSIDE not in at.query_params and "regelsaet" not in at.query_params


def test_viewer_running_the_export_page_directly_is_refused(db, roles):
    """Even if a page file is run without the router, the page checks the role itself."""
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "eksport.py"), default_timeout=TIMEOUT_S)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": USERS["viewer"]}
    at.run()
    assert any("giver ikke adgang til at eksportere" in e.value for e in at.error)
    assert not at.download_button


VIEWER_SAVES = """
import streamlit as st
from ui import loaders, scenario_view as sv

base = loaders.store().adopted_rule_set()
st.session_state[sv.SAVE_NAME_KEY] = "Læserens regelsæt"
sv.save_scenario(base)  # the save button's callback, called directly
sv.show_flash()
"""


def test_viewer_calling_the_save_callback_directly_is_refused_by_the_store(db, roles):
    """The button is not shown, and calling its callback anyway is refused in the domain layer."""
    at = AppTest.from_string(VIEWER_SAVES, default_timeout=TIMEOUT_S)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": USERS["viewer"]}
    at.run()
    assert not at.exception
    assert any("vera@aalborg.dk har rollen læser og må ikke gemme regelsæt" in e.value for e in at.error)
    store = Store.open(db)
    try:
        assert "Læserens regelsæt" not in set(store.rule_set_index()["name"])
        assert store.audit_log().empty
        viewer = Actor("Vera", "viewer", USERS["viewer"])
        with pytest.raises(UserError, match="må ikke vedtage regelsæt"):
            store.adopt_rule_set("trappetrin", 1, actor=viewer)
    finally:
        store.close()


# --- the audit trail -----------------------------------------------------------------------------


def test_save_and_adopt_in_the_app_are_recorded_with_the_logged_in_user(db, roles):
    at = open_page(as_role("admin", {"udgivelse": "2026-11"}), "scenarie")
    at.text_input(key="p." + OUTSIDE).input("35").run()  # issue 14: a text field taking a Danish number
    at.segmented_control(key="scenarie_visning").set_value("Gem og vedtag").run()
    at.text_input(key="scenarie_vedtag_navn").input("Vedtaget forslag")
    at.checkbox(key="scenarie_vedtag_bekraeft").check()
    next(b for b in at.button if b.label == "Vedtag scenariet").click().run()
    assert not at.exception
    store = Store.open(db)
    try:
        log = store.audit_log()
        idx = store.rule_set_index()
    finally:
        store.close()
    assert log[["actor", "action", "object"]].values.tolist() == [
        ["adam@aalborg.dk", "adopt_rule_set", "Vedtaget forslag v1"],
        ["adam@aalborg.dk", "save_rule_set", "Vedtaget forslag v1"],
    ]
    assert idx.loc[idx["adopted"], "adopted_by"].tolist() == ["adam@aalborg.dk"]


def _audit_log(db: Path):
    """The audit trail of ``db``, newest first (read on a connection of its own)."""
    store = Store.open(db)
    try:
        return store.audit_log()
    finally:
        store.close()


def _make_real(db: Path) -> None:
    """Mark the copied demo database as real data (exports of real data are audited)."""
    store = Store.open(db)
    try:
        with store.transaction() as cur:
            cur.execute("UPDATE meta SET value = 'false' WHERE key = 'demo'")
    finally:
        store.close()


def test_export_of_real_data_is_recorded_when_the_file_is_fetched(db, roles, downloads):
    """Downloading a file of non-demo data appends one "export" event naming who, file and release."""
    _make_real(db)
    at = open_page(as_role("analyst", {"udgivelse": "2026-11"}), "eksport")
    assert _audit_log(db).empty, "showing the page is not an export"
    csv = next(b for b in at.download_button if b.key == "dl_csv_danish")
    xlsx = next(b for b in at.download_button if b.key == "dl_xlsx")
    first = downloads(csv)
    downloads(xlsx)
    assert first.data.startswith(b"\xef\xbb\xbf")
    log = _audit_log(db)
    assert log[["actor", "action", "object", "file_name"]].values.tolist() == [
        ["ana@aalborg.dk", "export", "2026-11", xlsx_name := first.file_name.replace(".csv", ".xlsx")],
        ["ana@aalborg.dk", "export", "2026-11", first.file_name],
    ]
    assert xlsx_name.startswith("farveliste_2026-11_trappetrin-v1")
    assert '"format": "csv"' in log.iloc[1]["details"]


def test_fetching_the_audit_trail_of_real_data_is_recorded(db, roles, downloads):
    """The trail's own CSV is an export too: fetching it appends an "export" event for "revisionsspor".

    The file holds the rows shown before the click (the new event is not in it).
    """
    _seed_events(db)
    _make_real(db)
    at = open_page(as_role("admin"), "revision")
    shown = at.dataframe[0].value
    got = downloads(next(b for b in at.download_button if b.key == "dl_revision"))
    assert got.data == to_csv_danish(shown)
    log = _audit_log(db)
    assert len(log) == 5
    assert log.iloc[0][["actor", "action", "object", "file_name"]].tolist() == [
        "adam@aalborg.dk",
        "export",
        "revisionsspor",
        got.file_name,
    ]


def test_export_of_demo_data_is_not_recorded(app, db, downloads):
    at = app("eksport", {"udgivelse": "2026-11"})
    downloads(next(b for b in at.download_button if b.key == "dl_csv_danish"))
    assert _audit_log(db).empty


def test_cli_classify_of_real_data_is_recorded(db, tmp_path, monkeypatch):
    from trappetrin.cli import main as cli

    monkeypatch.setenv("USER", "kommandolinje")
    out = tmp_path / "farver.csv"
    assert cli(["classify", "--release", "2026-11", "--rules", "trappetrin", "--out", str(out)]) == 0
    _make_real(db)
    assert cli(["classify", "--release", "2026-11", "--rules", "trappetrin", "--out", str(out)]) == 0
    log = _audit_log(db)
    assert log[["actor", "action", "object", "file_name"]].values.tolist() == [
        ["kommandolinje", "export", "2026-11", "farver.csv"]
    ]  # the demo-data run is not recorded


def _seed_events(db: Path) -> None:
    store = Store.open(db)
    try:
        store.log_event("adam@aalborg.dk", "import", "2027-02", file_name="beboerdata.xlsx", checksum="abc", n_rows=271)
        store.log_event("ana@aalborg.dk", "export", "2026-11", file_name="farveliste.csv", details={"format": "csv"})
        store.log_event("<script>alert(1)</script>", "export", "'); DROP TABLE releases; --")
        store.log_event("adam@aalborg.dk", "delete_release", "2027-02")
    finally:
        store.close()


def test_audit_page_filters_and_exports_the_trail_as_danish_csv(db, roles, downloads):
    """Admins filter by action and person; the CSV is exactly the rows shown, for Danish Excel."""
    _seed_events(db)
    at = open_page(as_role("admin"), "revision")
    table = at.dataframe[0].value
    assert len(table) == 4 and list(table["Handling"]) == ["Sletning af udgivelse", "Eksport", "Eksport", "Indlæsning"]
    assert "'); DROP TABLE releases; --" in set(table["Objekt"]), "hostile text is shown as data"
    at.multiselect(key="revision_handling").set_value(["export"]).run()
    assert list(at.dataframe[0].value["Hvem"]) == ["<script>alert(1)</script>", "ana@aalborg.dk"]
    at.selectbox(key="revision_hvem").set_value("ana@aalborg.dk").run()
    shown = at.dataframe[0].value
    assert shown[["Hvem", "Handling", "Objekt", "Fil", "Detaljer"]].values.tolist() == [
        ["ana@aalborg.dk", "Eksport", "2026-11", "farveliste.csv", "Format: csv"]  # Danish labels
    ]
    got = downloads(next(b for b in at.download_button if b.key == "dl_revision"))
    assert got.data == to_csv_danish(shown) and got.data.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(got.data), sep=";", encoding="utf-8-sig")["Hvem"].tolist() == ["ana@aalborg.dk"]
    for el in list(at.markdown) + list(at.caption):
        assert not el.proto.allow_html
    # Nothing on the page can change the trail: no editable table, no button but the download and "Log ud".
    assert not list(at.get("data_editor")) and buttons(at) == {"Log ud"}
    store = Store.open(db)
    try:
        assert len(store.audit_log()) == 4 and store.scalar("SELECT count(*) FROM releases") > 0
    finally:
        store.close()


def test_audit_page_is_not_offered_below_admin_and_says_when_empty(db, roles):
    assert "revision" not in reachable(as_role("analyst"))
    at = open_page(as_role("admin"), "revision")
    assert any("Revisionssporet er tomt" in i.value for i in at.info)


# --- injection attempts on the Data page ---------------------------------------------------------

HOSTILE = ["'); DROP TABLE releases; --", "<script>alert(1)</script>"]


def _tables(db: Path) -> list[str]:
    store = Store.open(db)
    try:
        return store.query("SELECT table_name FROM information_schema.tables ORDER BY 1")["table_name"].tolist()
    finally:
        store.close()


@pytest.mark.skipif(not (REPO_ROOT / "pages" / "data.py").exists(), reason="the Data page is not there yet")
@pytest.mark.parametrize("evil", HOSTILE)
def test_data_page_label_file_and_column_names_are_only_data(app, db, evil):
    """A hostile release label, file name and column name (mapped by hand) are stored as typed,
    shown as plain text, and change nothing but the one new release."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[evil, "Beboere 18-64"], ["101-003", "169"], ["101-007", "28"]])
    file_name = "'); DROP TABLE releases; --.csv"
    tables = _tables(db)
    store = Store.open(db)
    try:
        labels_before = store.releases()["label"].tolist()
    finally:
        store.close()
    at = app("data")
    at.text_input(key="data_label").set_value(evil)
    at.file_uploader[0].upload(file_name, buffer.getvalue().encode("utf-8"))
    at.run()
    at.selectbox(key="data_map_afdelingsdata_dept_id").select(evil).run()
    at.checkbox(key="data_partial").check().run()  # a small file: a deliberate partial release
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key="data_commit").click().run()
    assert not at.exception
    assert _tables(db) == tables
    store = Store.open(db)
    try:
        assert store.releases()["label"].tolist() == labels_before + [evil]
        assert store.saved_mapping("afdelingsdata", [evil, "Beboere 18-64"]) == {"dept_id": evil}
        event = store.audit_log(actions=["import"]).iloc[0]
        assert (event["object"], event["file_name"]) == (evil, file_name)
    finally:
        store.close()
    for el in list(at.markdown) + list(at.caption) + list(at.success) + list(at.info) + list(at.warning):
        assert not getattr(el.proto, "allow_html", False)
    assert any(evil in set(df.value.astype(str).stack()) for df in at.dataframe), "shown as typed in a table"


def test_an_unreadable_secrets_file_closes_the_app_instead_of_opening_it(db, tmp_path):
    """A typo in secrets.toml must not turn a login server into an open local installation."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback\n', encoding="utf-8")  # no "
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(bad)])
    secrets_singleton._reset()
    try:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT_S).run()
    finally:
        config.set_option("secrets.files", saved)
        secrets_singleton._reset()
    assert any("secrets.toml kan ikke læses" in e.value for e in at.error)
    assert reachable(at) == set()
    assert "Lokal tilstand" not in texts(at) and not at.dataframe
