"""Department-indicator releases (``afdelingsdata``): check a table, preview, commit.

The flow is :func:`~.files.read_table` → :func:`validate_indicator_release` (a :class:`Plan`, or
a :class:`~trappetrin.errors.UserError` listing every problem at once) → :func:`preview` →
:func:`commit` (one transaction). Nothing is written before ``commit``, and ``commit`` writes all
or nothing. Numbers are Danish (``12,5``, ``1.234``, ``12,5 %``) unless the file shows otherwise;
each value is checked against its unit and the plausibility rules (``data/plausibility.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .. import catalogue, formatting
from ..auth import Actor, require
from ..colours import classify_release
from ..engine import classify
from ..errors import UserError
from ..export import to_csv_danish
from ..numbers import parse_number
from ..rules import RuleSet
from ..store import ReleaseData, Store
from .base import TableKind
from .checks import MISSING_MARKERS, Progress, checksum, department_ids, no_progress, parse_date, whole_rows
from .columns import field_label, field_names, resolve_columns
from .files import HEADER_SEARCH_ROWS, read_table
from .problems import (
    DATE_FIELD,
    LABEL_FIELD,
    PARTIAL_FIELD,
    SOURCE_FIELD,
    Collector,
    Problem,
    field_problem,
    file_problem,
    raise_problems,
)

#: Sources a department-indicator release can come from.
VALUE_SOURCES = ("Tvillingeværktøj", "Beboerdata")

EARLIEST_DATE = date(2000, 1, 1)
FUTURE_DAYS = 31


@dataclass(frozen=True)
class Plan:
    """A validated release, ready for :func:`preview` and :func:`commit`."""

    kind = "afdelingsdata"

    values: pd.DataFrame  # long: dept_id, indicator, value (NaN where the file has no value)
    label: str
    source: str
    reference_date: date
    file_name: str
    checksum: str
    rows: int  # departments (data rows) in the file
    columns: dict[str, str] = field(default_factory=dict)  # field → column used
    ignored_columns: list[str] = field(default_factory=list)
    missing_indicators: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)  # indicators the rule set reads, left out on purpose

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(self.values["dept_id"]))

    @property
    def n_values(self) -> int:
        """Cells stored (one per department and indicator column, blank ones included)."""
        return len(self.values)

    @property
    def n_known(self) -> int:
        """Values actually given (not blank, not suppressed)."""
        return int(self.values["value"].notna().sum())


def check_release(
    store: Store, label: str, source: str, reference_date: object, today: date | None
) -> tuple[str, str, date | None, list[Problem]]:
    """The release's label, source and date as given on the page, and their problems."""
    problems: list[Problem] = []
    label = str(label or "").strip()
    if not label:
        problems.append(field_problem(LABEL_FIELD, "Udgivelsen mangler et mærke", "fx '2026-11'"))
    elif store.scalar("SELECT count(*) FROM releases WHERE label = ?", [label]):
        problems.append(
            field_problem(
                LABEL_FIELD,
                f"Udgivelsen '{label}' findes allerede, og en gemt udgivelse kan ikke ændres",
                "et nyt mærke (eller slet den gamle udgivelse først)",
            )
        )
    src = next((s for s in VALUE_SOURCES if s.casefold() == str(source or "").strip().casefold()), None)
    if src is None:
        problems.append(
            field_problem(
                SOURCE_FIELD, f"Kilden '{source}' kan ikke bruges til afdelingsdata", " eller ".join(VALUE_SOURCES)
            )
        )
    day = parse_date(reference_date)
    today = today or date.today()
    if day is None:
        problems.append(
            field_problem(DATE_FIELD, f"Opgørelsesdatoen '{reference_date}' er ikke en gyldig dato", "fx 2026-11-15")
        )
    elif day < EARLIEST_DATE:
        problems.append(
            field_problem(
                DATE_FIELD, f"Opgørelsesdatoen {formatting.date(day)} ligger før 2000", "en dato fra 2000 til i dag"
            )
        )
    elif day > today + timedelta(days=FUTURE_DAYS):
        problems.append(
            field_problem(
                DATE_FIELD,
                f"Opgørelsesdatoen {formatting.date(day)} ligger mere end {FUTURE_DAYS} dage ude i fremtiden",
                f"senest {formatting.date(today + timedelta(days=FUTURE_DAYS))}",
            )
        )
    return label, src or "", day, problems


def validate_indicator_release(
    store: Store,
    table: pd.DataFrame,
    *,
    file_name: str | None = None,
    label: str,
    source: str,
    reference_date: object,
    mapping: dict[str, str] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    rules: RuleSet | None = None,
    allow_missing: Iterable[str] = (),
) -> Plan:
    """Check a table from :func:`read_table` as a department-indicator release.

    Every problem is collected (file, row, column, value and what is expected) and raised at once
    as one :class:`UserError`; nothing is written. ``today`` is for tests; ``progress`` is called
    with (fraction done, Danish text) for a progress bar.

    ``rules`` is the rule set in use (default: the adopted one): a file without a column for an
    indicator it reads is refused, unless that indicator is in ``allow_missing`` (a deliberate
    partial release, recorded in :attr:`Plan.partial`).
    """
    progress = progress or no_progress
    name = file_name or table.attrs.get("file_name") or "filen"
    problems: list[Problem] = list(table.attrs.get("row_problems", []))
    label, source, day, release_problems = check_release(store, label, source, reference_date, today)
    problems += release_problems
    decimal = table.attrs.get("decimal", "auto")

    if len(table.columns) == 0:
        problems.append(
            file_problem(
                name,
                "filen har ingen overskriftsrække",
                "en række med kolonnenavne som 'Afdelings-id' øverst",
            )
        )
        raise_problems(name, problems)
    if len(table) == 0:
        problems.append(file_problem(name, "filen har overskrifter, men ingen datarækker", "én række pr. afdeling"))

    used, ignored, column_problems = resolve_columns(table, mapping, name)
    problems += column_problems
    has_id = "dept_id" in used or ("org_no" in used and "dept_no" in used)
    if not has_id:
        half = [f for f in ("org_no", "dept_no") if f in used]
        hint = (
            f" Filen har {field_label(half[0])} (kolonnen '{used[half[0]]}'), men mangler "
            f"{field_label('dept_no' if half[0] == 'org_no' else 'org_no')}."
            if half
            else ""
        )
        late = table.attrs.get("late_header_row")
        if late:
            hint += (
                f" Overskriftsrækken ser ud til at være række {late} – der søges kun i de første "
                f"{HEADER_SEARCH_ROWS} rækker; angiv den med --header-row {late} (på siden: 'Overskriftsrække')."
            )
        problems.append(
            file_problem(
                name,
                "filen mangler en kolonne med afdelings-id (fx 'afdelings_id' eller 'Afdelings-id') "
                f"eller både organisationsnummer ('org_nr') og afdelingsnummer ('afd_nr').{hint} "
                f"Fundne kolonner: {', '.join(map(str, table.columns))}.",
            )
        )
    codes = [c for c in catalogue.indicators() if c in used]
    partial, rule_problems = _needed_columns(store, used, rules, allow_missing, name)
    problems += rule_problems
    if not codes:
        problems.append(
            file_problem(
                name,
                "filen har ingen kendte indikatorkolonner",
                f"mindst én af fx {', '.join(repr(field_label(c)) for c in list(catalogue.indicators())[:3])}; "
                "se skabelonen, eller kortlæg kolonnerne",
            )
        )
    if not has_id or not codes or len(table) == 0:
        raise_problems(name, problems)

    file_checksum = checksum(table)
    earlier = store.scalar("SELECT label FROM releases WHERE checksum = ? ORDER BY release_id LIMIT 1", [file_checksum])
    if earlier is not None:
        problems.append(
            file_problem(
                name,
                f"præcis den samme fil (samme sha256-kontrolsum) er allerede indlæst som udgivelsen '{earlier}'",
                "en ny fil",
            )
        )
    # Rows with the wrong number of fields are reported once above, not cell by cell.
    table = whole_rows(table)
    progress(0.05, "Kontrollerer afdelinger")
    found = Collector(table, name)  # listed in sheet order
    ids = department_ids(store, table, used, found)
    values = _parse_values(table, used, codes, decimal, progress, found)
    problems += found.problems()
    cells = values.size
    if not problems and cells and not values.notna().to_numpy().any():
        problems.append(
            file_problem(
                name,
                f"filen har ingen værdier – alle {cells} celler i indikatorkolonnerne "
                f"({', '.join(used[c] for c in codes)}) er tomme eller skjult ('*', '..', '-')",
                "mindst én værdi (er det den rigtige fil, eller er alt skjult af diskretionshensyn?)",
            )
        )
    if problems:
        raise_problems(name, problems)

    long = pd.DataFrame(
        {
            "dept_id": np.repeat(ids.to_numpy(dtype=object), len(codes)),
            "indicator": np.tile(np.array(codes, dtype=object), len(ids)),
            "value": values.to_numpy(dtype=float).reshape(-1),
        }
    )
    return Plan(
        values=long,
        label=label,
        source=source,
        reference_date=day,
        file_name=name,
        checksum=file_checksum,
        rows=len(ids),
        columns={f: c for f, c in used.items()},
        ignored_columns=ignored,
        missing_indicators=[c for c in catalogue.indicators() if c not in used],
        partial=partial,
    )


def missing_rule_columns(headers: list[str], mapping: dict[str, str] | None, rules: RuleSet | None) -> list[str]:
    """Indicators ``rules`` reads that no header (after the mapping) names: the Data page offers
    these as a deliberate partial release before the file is checked."""
    if rules is None or rules.scope != "afdeling":
        return []
    used, _, _ = resolve_columns(pd.DataFrame(columns=[str(h) for h in headers]), mapping)
    return [c for c in rules.indicators if c in catalogue.indicators() and c not in used]


def partial_indicators(store: Store, label: str, rules: RuleSet) -> list[str]:
    """Indicators ``rules`` reads that the values release ``label`` has no column for (a partial
    release; empty for a complete one and for releases without values)."""
    return partial_releases(store, rules).get(label, [])


def partial_releases(store: Store, rules: RuleSet | None) -> dict[str, list[str]]:
    """Every partial values release: label → the indicators ``rules`` reads that it lacks (one query)."""
    if rules is None or rules.scope != "afdeling":
        return {}
    needed = [c for c in rules.indicators if c in catalogue.indicators()]
    present = store.query(
        "SELECT r.label, list(DISTINCT v.indicator) AS indicators FROM releases r "
        "JOIN indicator_values v USING (release_id) GROUP BY r.label"
    )
    out = {}
    for label, have in zip(present["label"], present["indicators"]):
        lacking = [c for c in needed if c not in set(have)]
        if lacking:
            out[str(label)] = lacking
    return out


def _needed_columns(
    store: Store, used: dict[str, str], rules: RuleSet | None, allow_missing: Iterable[str], name: str
) -> tuple[list[str], list[Problem]]:
    """(indicators deliberately left out, problems): every indicator the rule set reads needs a
    column, unless it is allowed to be missing."""
    allowed = [str(a).strip() for a in allow_missing if str(a).strip()]
    problems = [
        field_problem(PARTIAL_FIELD, f"'{a}' er ikke en indikator", f"en af: {', '.join(catalogue.indicators())}")
        for a in allowed
        if a not in catalogue.indicators()
    ]
    if rules is None:
        try:
            rules = store.adopted_rule_set()
        except UserError:
            rules = None
    if rules is None or rules.scope != "afdeling":
        return [], problems
    needed = [c for c in rules.indicators if c in catalogue.indicators()]
    partial = [c for c in needed if c not in used and c in allowed]
    lacking = [c for c in needed if c not in used and c not in allowed]
    if lacking:
        what = ", ".join(f"{catalogue.label(c)} ('{field_label(c)}')" for c in lacking)
        flags = " ".join(f"--allow-missing {c}" for c in lacking)
        problems.append(
            file_problem(
                name,
                f"filen mangler {'en kolonne' if len(lacking) == 1 else f'{len(lacking)} kolonner'}, som "
                f"regelsættet '{rules.name}' bruger: {what}",
                "en kolonne med den overskrift (se skabelonen); er udgivelsen bevidst delvis, så vælg "
                f"'Delvis udgivelse' for {'indikatoren' if len(lacking) == 1 else 'indikatorerne'} "
                f"(kommandolinjen: {flags})",
            )
        )
    return partial, problems


def _parse_values(
    table: pd.DataFrame,
    used: dict[str, str],
    codes: list[str],
    decimal: str,
    progress: Progress,
    found: Collector,
) -> pd.DataFrame:
    """Numbers of every indicator column (NaN for blank cells); problems added to ``found``.

    Each value is checked against its unit and the plausibility rules (``data/plausibility.toml``):
    its range, and that a subgroup count is never larger than its group in the same row.
    """
    out = pd.DataFrame(index=table.index, columns=codes, dtype=float)
    cache: dict[str, float | None | ValueError] = {}
    example = "12.5" if decimal == "." else "12,5"
    rules = catalogue.plausibility()
    for k, code in enumerate(codes):
        column = used[code]
        ind = catalogue.indicators()[code]
        progress(0.1 + 0.9 * k / len(codes), f"Kontrollerer {field_label(code)}")
        parsed = np.full(len(table), np.nan)
        for i, (row, raw) in enumerate(table[column].items()):
            text = str(raw).strip()
            if text in MISSING_MARKERS:
                continue
            if text not in cache:
                try:
                    cache[text] = parse_number(text, decimal)
                except ValueError as exc:
                    cache[text] = exc
            value = cache[text]
            if value is None:
                continue
            problem = _value_problem(code, ind.unit, value, example, text, decimal, rules.ranges.get(code))
            if problem is None:
                parsed[i] = value
            else:
                found.add(row, column, text, *problem)
        out[code] = parsed
    for part, whole in rules.parts:
        if part not in out or whole not in out:
            continue
        bigger = out[part].to_numpy() > out[whole].to_numpy()
        for row in out.index[bigger]:
            column = used[part]
            found.add(
                row,
                column,
                str(table.at[row, column]),
                f"er større end '{used[whole]}' ({table.at[row, used[whole]]})",
                f"at {catalogue.label(part)} højst er {catalogue.label(whole)} (er kolonnerne byttet om?)",
            )
    progress(1.0, "Kontrol færdig")
    return out


#: A count written with one mark before exactly three digits: "2.000" is 2 000 in Danish, 2 in English.
_AMBIGUOUS_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}$")


def _value_problem(
    code: str,
    unit: str,
    value: float | ValueError,
    example: str,
    text: str = "",
    decimal: str = ",",
    limits: tuple[float, float] | None = None,
) -> tuple[str, str] | None:
    """What is wrong with one parsed value and what is expected (None if nothing)."""
    if isinstance(value, ValueError):
        return "er ikke et tal", f"et tal som {example}{' (eller tom)' if unit == '%' else ''}"
    if unit == "antal":
        if text.endswith("%"):
            return (
                "er formateret som procent",
                "et antal (helt tal); fjern procentformatet i Excel (en procentformateret celle gemmes "
                "som hundrededele)",
            )
        m = _AMBIGUOUS_THOUSANDS.match(text)
        if m and m.group(1) == decimal:
            other = "." if decimal == "," else ","
            return (
                f"kan læses både som {text.replace(decimal, '.').rstrip('0').rstrip('.')} og som "
                f"{text.replace(decimal, '')} – filen bruger '{decimal}' som decimaltegn; forventet et antal "
                f"uden tusindtalsseparator (fx {text.replace(decimal, '')}) eller med '{other}'.",
                "",
            )
    low, high = limits if limits is not None else (0.0, 100.0 if unit == "%" else float("inf"))
    if unit == "%":
        if (low, high) == (0.0, 100.0):
            if not 0 <= value <= 100:
                return "ligger uden for 0–100", "en andel i procent mellem 0 og 100"
        elif value < low:
            return "er negativ", f"en procent på {_plain(low)} eller derover"
    elif unit == "antal":
        if value < 0:
            return "er negativ", "et antal på 0 eller derover"
        if not float(value).is_integer():
            return "er ikke et helt tal", "et antal (helt tal)"
    if value < low or value > high:
        return (
            "er ikke en mulig værdi for én afdeling",
            f"{_plain(low)} til {_plain(high)}{' %' if unit == '%' else ''} "
            "(plausibilitetsreglerne i data/plausibility.toml)",
        )
    return None


def _plain(x: float) -> str:
    """A limit as Danish text (whole numbers grouped with '.')."""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    return str(x).replace(".", ",")


# --- preview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What a commit would change, under one rule set."""

    plan: Plan
    previous_label: str | None  # the values release the new one follows (newest at or before it)
    departments: pd.DataFrame  # dept_id, name: departments with values in the new release
    missing: pd.DataFrame  # dept_id, name: in the previous values release, not in the new one
    added: pd.DataFrame  # dept_id, name: in the new release, not in the previous one
    changes: pd.DataFrame  # dept_id, name, before, after (outcome codes), before_label, after_label
    counts: pd.DataFrame  # per outcome: before, after (number of departments)
    data: ReleaseData  # the new release as the store would resolve it


def plan_release_data(store: Store, plan: Plan) -> ReleaseData:
    """The plan resolved as :meth:`Store.release_data` would resolve it once stored."""
    return store.resolve_as_of(plan.label, plan.source, plan.reference_date, plan.label, plan.values)


def preview(store: Store, plan: Plan, rules: RuleSet) -> Preview:
    """Departments with values, departments missing since the previous release, colour changes.

    Only ids, names and outcomes leave here (no values), so showing it respects discretion.
    """
    if rules.scope != "afdeling":
        raise UserError(
            f"Regelsættet '{rules.name}' gælder for {rules.scope}r, ikke afdelinger; "
            "vælg et regelsæt for afdelinger til forhåndsvisningen."
        )
    rel = store.releases()
    rel = rel[pd.to_datetime(rel["reference_date"]).dt.date <= plan.reference_date]
    values_rel = rel[rel["n_values"] > 0]
    previous_values = None if values_rel.empty else str(values_rel.iloc[-1]["label"])
    classifiable = set(store.release_labels())
    before_rel = rel[rel["label"].isin(classifiable)]
    before_label = None if before_rel.empty else str(before_rel.iloc[-1]["label"])

    data = plan_release_data(store, plan)
    after = pd.Series(classify(data.frame, rules, data.refs).outcome, index=data.frame.index)
    names = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]

    new_ids = pd.Index(plan.departments)
    if previous_values is not None:
        old_ids = pd.Index(
            store.query(
                "SELECT DISTINCT v.dept_id FROM indicator_values v JOIN releases r USING (release_id) "
                "WHERE r.label = ? ORDER BY 1",
                [previous_values],
            )["dept_id"]
        )
    else:
        old_ids = pd.Index([], dtype=object)

    def named(ids) -> pd.DataFrame:
        ids = sorted(ids)
        return pd.DataFrame({"dept_id": ids, "name": [names.get(i, "") for i in ids]})

    if before_label is not None:
        res = classify_release(store, before_label, rules)
        before = pd.Series(res.result.outcome, index=res.data.frame.index)
    else:
        before = pd.Series([], dtype=object)
    common = after.index.intersection(before.index)
    changed = common[before[common].to_numpy() != after[common].to_numpy()]
    labels = {o.code: o.label for o in rules.outcomes}
    changes = named(changed)
    changes["before"] = [before[i] for i in changes["dept_id"]]
    changes["after"] = [after[i] for i in changes["dept_id"]]
    changes["before_label"] = changes["before"].map(labels)
    changes["after_label"] = changes["after"].map(labels)
    order = [o.code for o in rules.outcomes]
    counts = pd.DataFrame(
        {
            "before": before.value_counts().reindex(order, fill_value=0),
            "after": after.value_counts().reindex(order, fill_value=0),
        }
    ).astype(int)
    counts.index.name = "outcome"
    return Preview(
        plan=plan,
        previous_label=previous_values,
        departments=named(new_ids),
        missing=named(old_ids.difference(new_ids)),
        added=named(new_ids.difference(old_ids)),
        changes=changes,
        counts=counts,
        data=data,
    )


# --- commit -------------------------------------------------------------------------------------


def commit(store: Store, plan: Plan, *, actor: Actor, progress: Progress | None = None) -> str:
    """Store the release and its values in one transaction, with its audit record; return its label.

    Needs the ``import`` permission. Nothing is written if anything fails (the label was taken
    meanwhile, a department left the register, the database refuses). Readers keep reading the
    old state until the commit; a second import waits for the write lock.
    """
    require(actor, "import")
    progress = progress or no_progress
    try:
        with store.transaction() as cur:
            if cur.execute("SELECT count(*) FROM releases WHERE label = ?", [plan.label]).fetchone()[0]:
                raise UserError(
                    f"Udgivelsen '{plan.label}' findes allerede, og en gemt udgivelse kan ikke ændres. Intet er gemt."
                )
            # Checked again here: another import of the same file may have committed since the plan.
            earlier = cur.execute(
                "SELECT label FROM releases WHERE checksum = ? ORDER BY release_id LIMIT 1", [plan.checksum]
            ).fetchone()
            if plan.checksum and earlier is not None:
                raise UserError(
                    f"{plan.file_name}: præcis den samme fil (samme sha256-kontrolsum) er allerede indlæst som "
                    f"udgivelsen '{earlier[0]}' – forventet en ny fil. Intet er gemt."
                )
            release_id = cur.execute(
                "INSERT INTO releases (label, source, reference_date, list_year, n_values, imported_at, imported_by, "
                "file_name, checksum) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?) RETURNING release_id",
                [
                    plan.label,
                    plan.source,
                    plan.reference_date,
                    plan.n_values,
                    datetime.now(),
                    actor.label,
                    plan.file_name,
                    plan.checksum,
                ],
            ).fetchone()[0]
            values = plan.values.assign(release_id=int(release_id))[["release_id", "dept_id", "indicator", "value"]]
            progress(0.1, f"Gemmer {plan.n_values} værdier")
            cur.insert_frame("indicator_values", values)
            store.log_event(
                actor.label,
                "import",
                plan.label,
                file_name=plan.file_name,
                checksum=plan.checksum,
                n_rows=plan.rows,
                details={
                    "kind": "afdelingsdata",
                    "source": plan.source,
                    "values": plan.n_values,
                    **({"partial": plan.partial} if plan.partial else {}),
                },
                cur=cur,
            )
    except duckdb.Error as exc:
        raise UserError(
            f"Udgivelsen '{plan.label}' fra '{plan.file_name}' kunne ikke gemmes, og intet er gemt: {exc}"
        ) from None
    progress(1.0, f"Udgivelsen '{plan.label}' er gemt")
    return plan.label


def import_release(
    store: Store,
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    label: str,
    release_source: str,
    reference_date: object,
    actor: Actor,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    rules: RuleSet | None = None,
    allow_missing: Iterable[str] = (),
) -> Plan:
    """Read, validate and commit in one call (the command line's path). Returns the plan stored."""
    report = progress or no_progress
    report(0.0, "Læser filen")
    table = read_table(source, file_name, sheet=sheet, header_row=header_row)
    plan = validate_indicator_release(
        store,
        table,
        label=label,
        source=release_source,
        reference_date=reference_date,
        mapping=mapping,
        today=today,
        progress=lambda f, t: report(0.1 + 0.7 * f, t),
        rules=rules,
        allow_missing=allow_missing,
    )
    commit(store, plan, actor=actor, progress=lambda f, t: report(0.8 + 0.2 * f, t))
    return plan


# --- export -------------------------------------------------------------------------------------


def template_columns() -> list[str]:
    """The template's headers: id, name (ignored on import), then every indicator as 'label (unit)'."""
    return ["Afdelings-id", "Afdeling"] + [field_label(c) for c in catalogue.indicators()]


def export_release_template(store: Store, label: str, rules: RuleSet | None = None) -> bytes:
    """A stored values release in the template layout, as Danish Excel opens CSV.

    Discretion: every value of a department under the discretion limit of ``rules`` (default:
    the adopted rule set) is left empty; the department's row stays, so it imports as grey.
    """
    row = store.release_row(label)
    if int(row["n_values"]) == 0:
        raise UserError(f"Udgivelsen '{label}' ({row['source']}) har ingen afdelingsværdier at eksportere.")
    long = store.query(
        "SELECT v.dept_id, v.indicator, v.value FROM indicator_values v JOIN releases r USING (release_id) "
        "WHERE r.label = ?",
        [label],
    )
    wide = long.pivot(index="dept_id", columns="indicator", values="value").sort_index()
    codes = list(catalogue.indicators())
    wide = wide.reindex(columns=codes)
    rules = rules or store.adopted_rule_set()
    if rules.discretion is not None:
        d = wide[rules.discretion.indicator].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            masked = ~(d >= rules.discretion.minimum)
        wide.loc[masked, :] = np.nan
    names = store.query("SELECT dept_id, name FROM departments").set_index("dept_id")["name"]
    out = pd.DataFrame({"Afdelings-id": wide.index, "Afdeling": wide.index.map(names).fillna("")})
    for code in codes:
        values = wide[code].to_numpy(dtype=float)
        if catalogue.unit(code) == "antal" and np.all(np.isnan(values) | (values == np.round(values))):
            out[field_label(code)] = pd.array(np.where(np.isnan(values), None, values), dtype="Int64")
        else:
            out[field_label(code)] = values
    return to_csv_danish(out)


class IndicatorKind(TableKind):
    """``afdelingsdata``: the indicators of every department for one release."""

    name = "afdelingsdata"
    label = "Afdelingsdata (indikatorer for en udgivelse)"
    commit_label = "Gem udgivelsen"

    def check(self, store, table, *, options, mapping=None, today=None, progress=None) -> Plan:
        """``options``: ``label``, ``source``, ``reference_date``; ``rules`` (the rule set in use,
        default the adopted one) and ``allow_missing`` (indicators it reads that a deliberately
        partial release leaves out)."""
        return validate_indicator_release(
            store,
            table,
            label=options.get("label", ""),
            source=options.get("source", ""),
            reference_date=options.get("reference_date", ""),
            mapping=mapping,
            today=today,
            progress=progress,
            rules=options.get("rules"),
            allow_missing=options.get("allow_missing") or (),
        )

    def preview(self, store, plan, rules) -> Preview:
        return preview(store, plan, rules)

    def commit(self, store, plan, *, actor, progress=None) -> str:
        label = commit(store, plan, actor=actor, progress=progress)
        return f"Udgivelsen '{label}' er gemt."

    def fields(self) -> dict[str, tuple[str, bool]]:
        return {f: (field_label(f), f == "dept_id") for f in field_names()}

    def missing_required(self, store, headers, mapping=None) -> list[str]:
        used, _, _ = resolve_columns(pd.DataFrame(columns=[str(h) for h in headers]), mapping)
        need = [] if ("dept_id" in used or {"org_no", "dept_no"} <= set(used)) else ["dept_id"]
        if not any(c in used for c in catalogue.indicators()):
            need.append("residents_18_64")
        return need
