"""The audit trail records every kind of action, with who, and refused actions record nothing.

Drives the real entry points (the command line for import, delete, backup, restore and export;
the store for saving and adopting rule sets) on a fresh demo database, then checks that every
action in ``AUDIT_ACTIONS`` appears exactly as often as it was done.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.demo import demo_copy
from trappetrin import backup, followup
from trappetrin.auth import Actor
from trappetrin.cli import main as cli
from trappetrin.errors import UserError
from trappetrin.store import AUDIT_ACTIONS, Store

ADMIN = Actor("Adam", "admin", "adam@aalborg.dk")
VIEWER = Actor("Vera", "viewer", "vera@aalborg.dk")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "trappetrin.duckdb"
    demo_copy(path)
    monkeypatch.setenv("TRAPPETRIN_DB", str(path))
    monkeypatch.setenv("USER", "kommandolinje")
    return path


def _log(db: Path):
    store = Store.open(db)
    try:
        return store.audit_log()
    finally:
        store.close()


def test_every_kind_of_action_is_recorded_with_who(db, tmp_path):
    template = tmp_path / "2026-11.csv"
    assert cli(["export-release", "--release", "2026-11", "--out", str(template)]) == 0
    assert (
        cli(["import", str(template), "--label", "2026-12-test", "--source", "Beboerdata", "--date", "2026-12-10"]) == 0
    )
    assert cli(["delete-release", "2026-12-test", "--yes"]) == 0
    assert cli(["backup", str(tmp_path / "kopi")]) == 0
    assert cli(["restore", str(tmp_path / "kopi"), "--yes"]) == 0
    store = Store.open(db)
    try:
        with store.transaction() as cur:  # from here on the data count as real: exports are recorded
            cur.execute("UPDATE meta SET value = 'false' WHERE key = 'demo'")
        saved = store.save_rule_set(
            store.rule_set("trappetrin").with_overrides({"c.forebyggelse.income": 60.0}), actor=ADMIN, name="forslag"
        )
        store.adopt_rule_set(saved.name, saved.version, actor=ADMIN)
        rows = followup.followup_rows(store, "fogedsag")
        frame = followup.editor_frame(rows, "fogedsag")
        frame.at[frame.index[0], "Antal"] = "7"
        followup.edit_rows(store, "fogedsag", frame, actor=ADMIN, today=date(2026, 11, 23))

    finally:
        store.close()
    assert cli(["classify", "--release", "2026-11", "--rules", "forslag", "--out", str(tmp_path / "f.csv")]) == 0

    log = _log(db)
    done = log.sort_values("event_id")[["actor", "action", "object"]].values.tolist()
    assert [a for _, a, _ in done] == [
        "import",
        "delete_release",
        "backup",
        "restore",
        "save_rule_set",
        "adopt_rule_set",
        "edit_followup",
        "export",
    ]
    assert set(log["action"]) == set(AUDIT_ACTIONS), "every kind of action is recorded"
    by_action = {a: [(who, obj) for who, act, obj in done if act == a] for a in AUDIT_ACTIONS}
    assert by_action["import"] == [("kommandolinje", "2026-12-test")]
    assert by_action["delete_release"] == [("kommandolinje", "2026-12-test")]
    assert by_action["save_rule_set"] == [("adam@aalborg.dk", "forslag v1")]
    assert by_action["adopt_rule_set"] == [("adam@aalborg.dk", "forslag v1")]
    assert by_action["export"] == [("kommandolinje", "2026-11")]
    assert [who for who, _ in by_action["edit_followup"]] == ["adam@aalborg.dk"]
    assert [who for who, _ in by_action["backup"]] == ["kommandolinje"]
    assert [who for who, _ in by_action["restore"]] == ["kommandolinje"]


def test_a_restore_does_not_erase_later_audit_events(db, tmp_path):
    store = Store.open(db)
    try:
        backup.backup(store, tmp_path / "kopi", actor=ADMIN)
        store.save_rule_set(store.rule_set("trappetrin"), actor=ADMIN, name="efter kopien")
        before = store.audit_log()["action"].tolist()
        backup.restore(store, tmp_path / "kopi", actor=ADMIN)
        after = store.audit_log()["action"].tolist()
    finally:
        store.close()
    assert after[1:] == before, "a restore appends its own event and keeps every earlier one"


def test_refused_actions_write_nothing_and_record_nothing(db, tmp_path):
    """A viewer calling each write function directly is refused by the domain layer."""
    store = Store.open(db)
    try:
        backup.backup(store, tmp_path / "kopi", actor=ADMIN)
        events = len(store.audit_log())
        releases = store.releases()
        rule_sets = store.rule_set_index()
        base = store.rule_set("trappetrin")
        attempts = {
            "gemme regelsæt": lambda: store.save_rule_set(base, actor=VIEWER, name="x"),
            "vedtage regelsæt": lambda: store.adopt_rule_set("trappetrin", 1, actor=VIEWER),
            "slette udgivelser": lambda: store.delete_release("2026-11", actor=VIEWER),
            "tage sikkerhedskopier": lambda: backup.backup(store, tmp_path / "ny", actor=VIEWER),
            "gendanne sikkerhedskopier": lambda: backup.restore(store, tmp_path / "kopi", actor=VIEWER),
        }
        for what, attempt in attempts.items():
            with pytest.raises(UserError, match=f"vera@aalborg.dk har rollen læser og må ikke {what}"):
                attempt()
        assert len(store.audit_log()) == events
        assert store.releases().equals(releases) and store.rule_set_index().equals(rule_sets)
        assert not (tmp_path / "ny").exists()
    finally:
        store.close()
