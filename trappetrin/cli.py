"""The command line: ``trappetrin <command>`` (or ``python -m trappetrin``); ``--help`` lists every command.

Every command is also listed, with an example, in README.md's "Command line" section
(tests/unit/test_cli.py checks that none is missing there).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import datetime
from pathlib import Path

from .areas import check_areas, read_area_file
from .colours import classify_release, colour_list
from .config import db_path
from .errors import UserError
from .export import to_csv_danish, to_csv_plain

EXIT_USER_ERROR = 1
EXIT_BAD_INPUT = 2


class _DanishParser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one Danish line and exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(EXIT_BAD_INPUT, f"Fejl: ugyldigt kald ({_danish(message)}). Se 'python -m trappetrin --help'.\n")


#: argparse's own messages (English, from the standard library) in Danish.
_ARGPARSE_DANISH = [
    (re.compile(r"the following arguments are required: (.*)"), r"disse argumenter mangler: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"ukendte argumenter: \1"),
    (
        re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
        r"argument \1: ugyldigt valg \2 (vælg mellem \3)",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"argument \1 mangler en værdi"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.*)"), r"argument \1: ugyldig værdi \3"),
]


def _danish(message: str) -> str:
    for pattern, replacement in _ARGPARSE_DANISH:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


def _parser() -> argparse.ArgumentParser:
    p = _DanishParser(prog="python -m trappetrin", description="Trappetrin: monitorering af almene boligafdelinger.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_DanishParser)
    d = sub.add_parser("demo", help="(gen)opbyg demodatabasen")
    d.add_argument(
        "--scale",
        choices=["aalborg", "national"],
        default="aalborg",
        help="aalborg: 271 afdelinger (standard); national: ca. 8.000 afdelinger i 98 kommuner",
    )
    d.add_argument(
        "--force",
        action="store_true",
        help="genopbyg en eksisterende demodatabase (en database med rigtige data slettes aldrig)",
    )
    sub.add_parser("ensure-db", help="byg demodatabasen, hvis der ingen database er")
    sub.add_parser("init", help="opret en ny, tom database til rigtige data (TRAPPETRIN_DB)")
    sub.add_parser("releases", help="vis udgivelserne")
    c = sub.add_parser("classify", help="farvelisten for en udgivelse som CSV")
    c.add_argument("--release", required=True, help="udgivelsens mærke, fx 2026-11")
    c.add_argument("--rules", required=True, help="regelsættets navn, fx trappetrin")
    c.add_argument("--version", type=int, default=None, help="regelsættets version (standard: nyeste)")
    c.add_argument(
        "--format",
        choices=["excel", "plain"],
        default="excel",
        help="excel: semikolon, decimalkomma, UTF-8 med BOM (standard); plain: komma og punktum",
    )
    c.add_argument("--out", type=Path, default=None, help="fil at skrive til (standard: skærmen)")
    i = sub.add_parser("import", help="indlæs en fil: afdelingsdata, ministerliste, stamdata eller geometri")
    i.add_argument("file", type=Path)
    i.add_argument(
        "--kind",
        choices=[
            "afdelingsdata",
            "ministerliste",
            "stamdata",
            "geometri",
            "fleksibel",
            "indmeldt",
            "anvist",
            "fogedsag",
        ],
        default="afdelingsdata",
        help="hvad filen indeholder (standard: afdelingsdata)",
    )
    i.add_argument("--label", default=None, help="udgivelsens mærke, fx 2027-02 (ministerliste: standard ÅÅÅÅ-12)")
    i.add_argument("--source", default=None, help="afdelingsdata: Tvillingeværktøj eller Beboerdata")
    i.add_argument("--date", default=None, help="opgørelsesdato, fx 2027-02-15 (ministerliste: standard 1. december)")
    i.add_argument("--list-year", type=int, default=None, help="ministerliste: listeåret, fx 2026")
    i.add_argument(
        "--geometry",
        choices=["kommunegraense", "afdeling"],
        default=None,
        help="geometri: kommunegrænse eller afdelingspolygoner (standard: ud fra kolonnerne)",
    )
    i.add_argument("--sheet", default=None, help="XLSX: arkets navn (standard: første ark med afdelings-id)")
    i.add_argument("--header-row", type=int, default=None, help="rækkenummer for overskrifterne (standard: find selv)")
    i.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FELT=KOLONNE",
        help="peg et felt på en kolonne, fx --map dept_id=Nummer (kan gentages)",
    )
    i.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="INDIKATOR",
        help="afdelingsdata: en bevidst delvis udgivelse uden kolonnen for INDIKATOR, som regelsættet bruger "
        "(kan gentages); udgivelsen vises som delvis",
    )
    i.add_argument("--dry-run", action="store_true", help="kontrollér og vis ændringerne uden at gemme")
    dr = sub.add_parser("delete-release", help="slet en udgivelse (kræver --yes)")
    dr.add_argument("label")
    dr.add_argument("--yes", action="store_true", help="bekræft sletningen")
    b = sub.add_parser("backup", help="sikkerhedskopi af hele databasen til en mappe")
    b.add_argument("folder", type=Path)
    r = sub.add_parser("restore", help="gendan hele databasen fra en sikkerhedskopi (kræver --yes)")
    r.add_argument("folder", type=Path)
    r.add_argument("--yes", action="store_true", help="bekræft, at alt nuværende indhold erstattes")
    lg = sub.add_parser("log", help="revisionssporet: indlæsninger, sletninger, sikkerhedskopier")
    lg.add_argument("--limit", type=int, default=50, help="højst så mange hændelser (standard 50)")
    x = sub.add_parser("export-release", help="en udgivelses afdelingsdata i skabelonformatet (CSV)")
    x.add_argument("--release", required=True)
    x.add_argument("--out", type=Path, default=None)
    rp = sub.add_parser("report", help="statusrapporten for en periode som PDF eller XLSX (efter --out)")
    rp.add_argument("--from", dest="start", required=True, help="periodens første dag, fx 2026-01-01")
    rp.add_argument("--to", dest="end", required=True, help="periodens sidste dag, fx 2026-12-31")
    rp.add_argument("--out", type=Path, required=True, help="statusrapport.pdf eller statusrapport.xlsx")
    rp.add_argument("--rules", default=None, help="regelsættets navn (standard: det vedtagne)")
    t = sub.add_parser("twins", help="tvillinger: de mest sammenlignelige afdelinger (CSV)")
    t.add_argument("--release", required=True, help="udgivelsens mærke, fx 2026-11")
    t.add_argument("--department", default=None, help="afdelings-id; uden: alle afdelingers placering")
    t.add_argument("--n", type=int, default=10, help="antal tvillinger, 5–50 (standard 10)")
    t.add_argument("--by", choices=["stamdata", "socio", "begge"], default="stamdata", help="variable at matche på")
    t.add_argument("--scope", choices=["kommune", "land"], default="kommune", help="søg i kommunen eller landet")
    t.add_argument("--format", choices=["excel", "plain"], default="excel", help="som for classify")
    t.add_argument("--out", type=Path, default=None, help="fil at skrive til (standard: skærmen)")
    a = sub.add_parser("check-areas", help="ministeriets listekriterier for områder i en CSV-fil")
    a.add_argument("file", type=Path)
    a.add_argument("--out", type=Path, default=None)
    return p


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        print(f"Skrev {out}", file=sys.stderr)


def _demo_refusal(path: Path, *, force: bool) -> str | None:
    """Why ``demo`` must not replace the file at ``path``, or None when it may.

    ``demo`` deletes the file before it builds. A database that is not a demo database (real
    data, audit trail) or a file that is not a Trappetrin database is never deleted, not even
    with ``--force``; an existing demo database is replaced only with ``--force``.
    """
    if not path.exists():
        return None
    from .store import demo_mark

    where = f"TRAPPETRIN_DB peger på {path}"
    mark = demo_mark(path)
    if mark is None:
        return (
            f"{where}, og filen kan ikke læses som en Trappetrin-database (er den i brug, eller er det "
            "en anden slags fil?). Den slettes ikke. Vælg en anden sti med TRAPPETRIN_DB, eller flyt filen "
            "selv, hvis den skal væk."
        )
    if not mark:
        return (
            f"{where}, som er en database med rigtige data (ikke demodata). Den slettes ikke – heller ikke "
            "med --force. Tag en sikkerhedskopi (python -m trappetrin backup) og vælg en anden sti med "
            "TRAPPETRIN_DB til demodata."
        )
    if not force:
        return f"{where}, som allerede er en demodatabase. Brug --force for at bygge den forfra."
    return None


def _write_table(store, args, table, details: dict) -> None:
    """A release's table as CSV (``--format``) to ``--out``; an export of real data goes in the audit trail."""
    _write(to_csv_danish(table) if args.format == "excel" else to_csv_plain(table), args.out)
    if not store.is_demo:
        store.log_event(
            _user(),
            "export",
            args.release,
            file_name=args.out.name if args.out else None,
            details={"format": args.format, **details, "kilde": "kommandolinjen"},
        )


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "ukendt"


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .store import DatabaseBroken, open_store  # late: keeps --help fast

    if args.command == "demo":
        path = db_path()
        refusal = _demo_refusal(path, force=args.force)
        if refusal:
            print(f"Fejl: {refusal}", file=sys.stderr)
            return EXIT_BAD_INPUT
        for suffix in ("", ".wal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        if args.scale == "national":
            from .demo_national import build_national

            store = open_store(path)
            store.load_demo(build_national())
            from .followup_demo import add_demo_followup

            add_demo_followup(store)
        else:
            store = open_store(path, demo_if_empty=True)
        n = store.department_count()
        print(
            f"Demodatabasen er bygget: {path} ({len(store.release_labels())} udgivelser, {n} afdelinger).",
            file=sys.stderr,
        )
        return 0
    if args.command == "ensure-db":
        path = db_path()
        existed = path.exists()
        open_store(path, demo_if_empty=not existed).close()
        print(f"Database: {path}" + ("" if existed else " (demodata bygget)"), file=sys.stderr)
        return 0
    if args.command == "init":
        path = db_path()
        if path.exists():
            raise UserError(
                f"{path} findes allerede; en ny, tom database skal have sit eget filnavn (sæt TRAPPETRIN_DB)."
            )
        open_store(path).close()
        print(
            f"Tom database oprettet: {path}. Indlæs afdelingsregistret og en udgivelse på siden Data "
            "eller med 'import'.",
            file=sys.stderr,
        )
        return 0
    if args.command == "check-areas":
        try:
            areas = read_area_file(args.file)
            result = check_areas(areas)
        except UserError as exc:
            print(f"Fejl: {exc.one_line()}", file=sys.stderr)
            return EXIT_BAD_INPUT
        _write(to_csv_plain(result), args.out)
        return 0

    try:
        store = open_store(notice=_notice)
    except DatabaseBroken as exc:
        if args.command == "restore" and args.yes:
            return _restore_damaged(exc.path, args)
        raise
    if args.command == "releases":
        from . import formatting

        rel = store.releases()
        if rel.empty:
            print("Ingen udgivelser i databasen.")
        from .imports import field_label, partial_releases

        partial = partial_releases(store, store.adopted_rule_set())
        for row in rel.itertuples():
            n = formatting.integer(row.n_values)
            lacking = partial.get(row.label, [])
            text = f"\tdelvis: uden {', '.join(field_label(c) for c in lacking)}" if lacking else ""
            print(f"{row.label}\t{row.source}\t{formatting.date(row.reference_date)}\t{n} værdier{text}")
        return 0
    if args.command == "report":
        from .followup import Period
        from .report import write_report

        period = Period.parse(args.start, args.end)
        rules = store.rule_set(args.rules) if args.rules else store.adopted_rule_set()
        out = write_report(store, rules, period, args.out)
        if not store.is_demo:  # exports of real data go in the audit trail
            store.log_event(
                _user(),
                "export",
                f"statusrapport {period.label()}",
                file_name=out.name,
                details={"format": out.suffix.lstrip("."), "report": True},
            )
        print(f"Skrev {out} (statusrapport {period.label()})", file=sys.stderr)
        return 0
    if args.command == "classify":
        rules = store.rule_set(args.rules, args.version)
        res = classify_release(store, args.release, rules)
        table = colour_list(res, generated_at=datetime.now(), is_demo=store.is_demo)
        _write_table(store, args, table, {"regelsæt": f"{rules.name} v{rules.version}"})
        return 0
    if args.command == "twins":
        return _twins(store, args)
    if args.command == "import":
        return _import(store, args)
    if args.command in ("delete-release", "backup", "restore", "log"):
        return _admin(store, args)
    if args.command == "export-release":
        from .imports import export_release_template

        _write(export_release_template(store, args.release), args.out)
        return 0
    raise AssertionError(args.command)


def _twins(store, args) -> int:
    """The twins of one department, or every department's position against its twins, as CSV."""
    from . import twins

    if not twins.MIN_N <= args.n <= twins.MAX_N:
        print(f"Fejl: --n skal være mellem {twins.MIN_N} og {twins.MAX_N}, ikke {args.n}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    data = store.release_data(args.release)
    rules = store.adopted_rule_set()
    grey = twins.masked(data.frame, rules)
    variables = twins.variables_for(args.by)
    facts = {"release": data.label, "source": data.source, "is_demo": store.is_demo}
    if args.department is not None:
        if args.department not in data.frame.index:
            raise UserError(f"Afdelingen '{args.department}' findes ikke i udgivelsen '{args.release}'.")
        res = twins.find_twins(data.frame, grey, args.department, variables=variables, n=args.n, scope=args.scope)
        if res.reason:
            print(f"Bemærk: {args.department} har ingen tvillinger. {res.reason}", file=sys.stderr)
        table = twins.twin_table(data.frame, grey, res, **facts)
    else:
        pairs, reasons = twins.all_twins(data.frame, grey, variables=variables, n=args.n, scope=args.scope)
        table = twins.position_table(data.frame, grey, pairs, reasons, variables=variables, scope=args.scope, **facts)
    _write_table(store, args, table, {"tvillinger": args.department or "alle"})
    return 0


def _notice(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _restore_damaged(path: Path, args) -> int:
    """restore --yes into a database file that cannot be read: a new file from the backup."""
    from . import backup

    try:
        aside = backup.restore_damaged(path, args.folder, actor=_actor())
    except UserError as exc:
        print(f"Fejl: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Databasen {path} er gendannet fra {args.folder}; den beskadigede fil er gemt som {aside}.", file=sys.stderr)
    return 0


def _actor():
    from .auth import local_actor

    return local_actor(_user())


def _import(store, args) -> int:
    from . import imports

    mapping = {}
    for item in args.map:
        fld, sep, column = item.partition("=")
        if not sep:
            print(f"Fejl: --map skal skrives FELT=KOLONNE, ikke '{item}'.", file=sys.stderr)
            return EXIT_BAD_INPUT
        mapping[fld.strip()] = column.strip()

    def progress(fraction: float, text: str) -> None:
        print(f"{fraction:4.0%} {text}", file=sys.stderr)

    options = {"sheet": args.sheet, "header_row": args.header_row}
    if args.kind == "afdelingsdata":
        missing = [o for o, v in (("--label", args.label), ("--source", args.source), ("--date", args.date)) if not v]
        if missing:
            print(f"Fejl: afdelingsdata kræver {', '.join(missing)}.", file=sys.stderr)
            return EXIT_BAD_INPUT
        options.update(label=args.label, source=args.source, reference_date=args.date, allow_missing=args.allow_missing)
    elif args.kind == "ministerliste":
        options.update(list_year=args.list_year, label=args.label, reference_date=args.date)
    elif args.kind == "geometri":
        options.update(geometry_kind=args.geometry)
    try:
        plan = imports.plan_import(
            store, args.kind, args.file, options=options, mapping=mapping or None, progress=progress
        )
        pre = imports.preview_import(store, plan, store.adopted_rule_set())
    except UserError as exc:
        print(f"Fejl: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if plan.kind == "afdelingsdata":
        empty = plan.n_values - plan.n_known
        blank = f" ({empty} tomme eller skjulte celler)" if empty else ""
        print(
            f"{plan.file_name}: {plan.rows} afdelinger, {plan.n_known} værdier{blank}; "
            f"{len(pre.missing)} afdelinger mangler i forhold til {pre.previous_label or 'ingen tidligere udgivelse'}; "
            f"{len(pre.changes)} skifter farve.",
            file=sys.stderr,
        )
    else:
        for line in pre.summary:
            print(line, file=sys.stderr)
    if plan.kind == "afdelingsdata" and plan.partial:
        print(
            "Delvis udgivelse uden kolonne for: " + ", ".join(imports.field_label(c) for c in plan.partial),
            file=sys.stderr,
        )
    if plan.ignored_columns:
        print(f"Ignorerede kolonner: {', '.join(plan.ignored_columns)}", file=sys.stderr)
    if args.dry_run:
        print("Prøvekørsel: intet er gemt.", file=sys.stderr)
        return 0
    try:
        text = imports.commit_import(store, plan, actor=_actor(), progress=progress)
    except UserError as exc:
        print(f"Fejl: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(text, file=sys.stderr)
    return 0


def _admin(store, args) -> int:
    """delete-release, backup, restore, log: user errors are one Danish line and exit code 2."""

    from . import audit, backup, formatting

    try:
        if args.command == "delete-release":
            if not args.yes:
                raise UserError(f"Sletning af udgivelsen '{args.label}' skal bekræftes med --yes.")
            store.delete_release(args.label, actor=_actor())
            print(f"Udgivelsen '{args.label}' er slettet.", file=sys.stderr)
        elif args.command == "backup":
            folder = backup.backup(store, args.folder, actor=_actor())
            print(f"Sikkerhedskopien er gemt i {folder}", file=sys.stderr)
        elif args.command == "restore":
            if not args.yes:
                raise UserError("Gendannelse erstatter alt indhold i databasen og skal bekræftes med --yes.")
            backup.restore(store, args.folder, actor=_actor())
            print(f"Databasen er gendannet fra {args.folder}", file=sys.stderr)
        else:
            log = store.audit_log().head(max(args.limit, 0))
            if log.empty:
                print("Revisionssporet er tomt.")
            shown = audit.readable(log)
            for row in shown.itertuples(index=False):
                extra = "".join(f"\t{v}" for v in (row.Fil, row.Rækker) if v != formatting.MISSING)
                print(f"{row.Tidspunkt}\t{row.Hvem}\t{row.Handling}\t{row.Objekt}{extra}")
    except UserError as exc:
        print(f"Fejl: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except UserError as exc:
        print(f"Fejl: {exc.one_line()}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        from .store import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise
        # A database problem no check foresaw: one Danish line, no traceback.
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"Fejl: databasen {db_path()} gav en fejl: {first}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
