"""Rule sets as data: the TOML model, its validation and the editable parameters of a scenario.

A rule set has ordered rules. A rule decides its outcome when all its gates hold and at least
``min_met`` of the criteria in its criteria set are met; the first deciding rule wins, otherwise
the default outcome applies. A condition (gate or criterion) compares an indicator with a
threshold that is absolute (``value``) or relative to a reference value (``factor`` ×
``reference``, e.g. 2 × the national conviction average).
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import formatting
from .config import RULES_DIR
from .errors import UserError

Op = Literal[">", ">=", "<", "<="]
_OP_ALIASES = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<="}
OP_LABELS = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Condition(_Model):
    """One comparison of an indicator with a threshold: a gate or a criterion."""

    id: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    op: Op
    value: float | None = None
    reference: str | None = None
    factor: float | None = None
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise_op(cls, data):
        if isinstance(data, dict) and data.get("op") in _OP_ALIASES:
            data = {**data, "op": _OP_ALIASES[data["op"]]}
        return data

    @model_validator(mode="after")
    def _one_threshold(self):
        absolute = self.value is not None
        relative = self.reference is not None or self.factor is not None
        if absolute == relative:
            raise ValueError(
                f"betingelsen '{self.id}' skal have enten en fast grænse (value) "
                "eller en relativ grænse (reference og factor), ikke begge eller ingen"
            )
        if relative and (self.reference is None or self.factor is None):
            raise ValueError(f"betingelsen '{self.id}' har en relativ grænse og skal have både reference og factor")
        return self

    @property
    def is_relative(self) -> bool:
        return self.reference is not None

    @property
    def parameter(self) -> float:
        """The editable number: the absolute threshold or the factor of a relative one."""
        return self.factor if self.is_relative else self.value  # type: ignore[return-value]

    def with_parameter(self, number: float) -> Condition:
        field = "factor" if self.is_relative else "value"
        return self.model_copy(update={field: float(number)})

    def threshold_text(self, unit: str = "", refs: dict[str, float] | None = None) -> str:
        """Danish text of the comparison, e.g. ``> 30 %`` or ``≥ 2 × landsgennemsnit (1,57 %)``."""
        op = OP_LABELS[self.op]
        if self.is_relative:
            text = f"{op} {formatting.short(self.factor)} × {REFERENCE_LABELS.get(self.reference, self.reference)}"
            if refs and self.reference in refs:
                text += f" ({formatting.short(self.factor * refs[self.reference])}{_unit_suffix(unit)})"
            return text
        return f"{op} {formatting.short(self.value)}{_unit_suffix(unit)}"


class CriteriaSet(_Model):
    id: str = Field(min_length=1)
    label: str
    criteria: list[Condition] = Field(alias="criterion", min_length=1)


class Rule(_Model):
    id: str = Field(min_length=1)
    outcome: str
    label: str = ""
    criteria: str | None = None
    min_met: int = Field(ge=0)
    gates: list[Condition] = Field(default_factory=list, alias="gate")


#: Colour names Streamlit Markdown accepts in ``:colour[text]`` (an outcome's ``text_colour``).
TextColour = Literal["red", "orange", "yellow", "green", "blue", "violet", "gray", "grey", "primary"]


class Outcome(_Model):
    """One colour of the step model, with how it is presented everywhere.

    The presentation fields are data, so another step model changes the TOML, not the code:
    ``symbol`` is the shape next to the colour name in tables and charts (``▲``), never colour
    alone; ``map_symbol`` the short text drawn on a map point (``3``); ``severity`` the rank in
    lists and sums (1 = most severe, outcomes without one go last); ``text_colour`` the Markdown
    colour of the outcome's name in headings.
    """

    code: str
    label: str
    step: str = ""
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    meaning: str = ""
    allocation: bool = False
    allocation_share: float = Field(default=0.0, ge=0, le=1)
    flexible_letting: str = ""
    symbol: str | None = Field(default=None, max_length=3)
    map_symbol: str | None = Field(default=None, max_length=3)
    severity: int | None = Field(default=None, ge=1)
    text_colour: TextColour | None = None

    #: The presentation fields: filled from the bundled rule sets for rule sets stored without them.
    PRESENTATION: ClassVar[tuple[str, ...]] = ("symbol", "map_symbol", "severity", "text_colour")


class Discretion(_Model):
    indicator: str
    minimum: float = Field(ge=0)
    outcome: str


class RuleSet(_Model):
    """A named, versioned rule set (see the module docstring for the semantics)."""

    name: str = Field(min_length=1)
    version: int = Field(ge=1)
    title: str
    description: str = ""
    scope: Literal["afdeling", "område"]
    default_outcome: str
    first_list_year: int | None = None
    last_list_year: int | None = None
    discretion: Discretion | None = None
    outcomes: list[Outcome] = Field(alias="outcome", min_length=1)
    criteria_sets: list[CriteriaSet] = Field(default_factory=list, alias="criteria_set")
    rules: list[Rule] = Field(alias="rule", min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        codes = [o.code for o in self.outcomes]
        _unique(codes, "udfald (outcome.code)")
        _unique([s.id for s in self.criteria_sets], "kriteriesæt (criteria_set.id)")
        _unique([r.id for r in self.rules], "regler (rule.id)")
        sets = {s.id: s for s in self.criteria_sets}
        for s in self.criteria_sets:
            _unique([c.id for c in s.criteria], f"kriterier i '{s.id}'")
        for rule in self.rules:
            if rule.outcome not in codes:
                raise ValueError(
                    f"reglen '{rule.id}' giver udfaldet '{rule.outcome}', som ikke er defineret under [[outcome]]"
                )
            _unique([g.id for g in rule.gates], f"porte i reglen '{rule.id}'")
            n = 0
            if rule.criteria is not None:
                if rule.criteria not in sets:
                    raise ValueError(
                        f"reglen '{rule.id}' henviser til kriteriesættet '{rule.criteria}', som ikke findes"
                    )
                n = len(sets[rule.criteria].criteria)
            if rule.min_met > n:
                raise ValueError(f"reglen '{rule.id}' kræver mindst {rule.min_met} opfyldte kriterier, men har kun {n}")
        if self.default_outcome not in codes:
            raise ValueError(f"standardudfaldet '{self.default_outcome}' er ikke defineret under [[outcome]]")
        if self.discretion and self.discretion.outcome not in codes:
            raise ValueError(f"diskretionsudfaldet '{self.discretion.outcome}' er ikke defineret under [[outcome]]")
        return self

    # --- lookups -------------------------------------------------------------------------

    def criteria_set(self, set_id: str) -> CriteriaSet:
        return next(s for s in self.criteria_sets if s.id == set_id)

    def outcome(self, code: str) -> Outcome:
        return next(o for o in self.outcomes if o.code == code)

    # --- presentation (data in [[outcome]], read by every page, chart, map and export) ----

    def _outcome_or_none(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)

    def symbol(self, code: str) -> str:
        """The shape shown next to the outcome's name (``▲``); empty when the rule set has none."""
        o = self._outcome_or_none(code)
        return (o.symbol or "") if o else ""

    def map_symbol(self, code: str) -> str:
        """The short text drawn on a map point (``3``); empty when the rule set has none."""
        o = self._outcome_or_none(code)
        return (o.map_symbol or "") if o else ""

    def text_colour(self, code: str) -> str:
        """The Markdown colour for the outcome's name (``:red[…]``); gray when none is given."""
        o = self._outcome_or_none(code)
        return (o.text_colour or "gray") if o else "gray"

    def severity_order(self) -> list[str]:
        """Outcome codes, most severe first; outcomes without a severity keep file order, last."""
        position = {o.code: i for i, o in enumerate(self.outcomes)}
        return sorted(
            position,
            key=lambda c: (self.outcome(c).severity is None, self.outcome(c).severity or 0, position[c]),
        )

    def severity_rank(self) -> dict[str, int]:
        """Outcome code → its place in :meth:`severity_order` (0 = most severe)."""
        return {c: i for i, c in enumerate(self.severity_order())}

    def flagged_codes(self) -> list[str]:
        """Outcomes more severe than the default one (the agreement's red and yellow), severest first.

        Needs severities; without them no outcome is flagged.
        """
        default = self.outcome(self.default_outcome).severity
        if default is None:
            return []
        return [o.code for o in self.outcomes if o.severity is not None and o.severity < default]

    def with_presentation(self, source: dict[str, Outcome]) -> RuleSet:
        """A copy whose outcomes lacking presentation fields take them from ``source`` (code → outcome).

        A rule set stored before the fields existed keeps its look: the database holds the TOML
        it was saved with, and the bundled rule sets carry the presentation of the same codes.
        """
        outcomes = []
        changed = False
        for o in self.outcomes:
            src = source.get(o.code)
            update = {
                f: getattr(src, f)
                for f in Outcome.PRESENTATION
                if src is not None and getattr(o, f) is None and getattr(src, f) is not None
            }
            changed |= bool(update)
            outcomes.append(o.model_copy(update=update) if update else o)
        return self.model_copy(update={"outcomes": outcomes}) if changed else self

    @property
    def indicators(self) -> list[str]:
        """Every indicator the rule set reads, in first-use order."""
        seen: dict[str, None] = {}
        if self.discretion:
            seen[self.discretion.indicator] = None
        for s in self.criteria_sets:
            for c in s.criteria:
                seen[c.indicator] = None
        for r in self.rules:
            for g in r.gates:
                seen[g.indicator] = None
        return list(seen)

    @property
    def references(self) -> list[str]:
        return sorted({c.reference for c in self._conditions() if c.reference})

    def _conditions(self):
        for s in self.criteria_sets:
            yield from s.criteria
        for r in self.rules:
            yield from r.gates

    def applies_to_list_year(self, year: int) -> bool:
        if self.first_list_year is not None and year < self.first_list_year:
            return False
        return self.last_list_year is None or year <= self.last_list_year

    def fingerprint(self) -> str:
        """A short stable hash of the content, for cache keys and scenario identity."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def to_toml(self) -> str:
        return tomli_w.dumps(self.model_dump(mode="json", by_alias=True, exclude_none=True))

    # --- scenarios ----------------------------------------------------------------------

    def parameters(self) -> list[Parameter]:
        """Every number a scenario may change, with a stable key usable in a URL."""
        params: list[Parameter] = []
        if self.discretion:
            params.append(
                Parameter(
                    "d.minimum",
                    "discretion",
                    self.discretion.minimum,
                    self.discretion.indicator,
                    ">=",
                    None,
                    None,
                    None,
                )
            )
        for s in self.criteria_sets:
            for c in s.criteria:
                params.append(
                    Parameter(
                        f"c.{s.id}.{c.id}",
                        "factor" if c.is_relative else "threshold",
                        c.parameter,
                        c.indicator,
                        c.op,
                        c.reference,
                        s.id,
                        None,
                    )
                )
        for r in self.rules:
            if r.criteria is not None:
                params.append(Parameter(f"k.{r.id}", "min_met", float(r.min_met), None, ">=", None, r.criteria, r.id))
            for g in r.gates:
                params.append(
                    Parameter(
                        f"g.{r.id}.{g.id}",
                        "factor" if g.is_relative else "gate",
                        g.parameter,
                        g.indicator,
                        g.op,
                        g.reference,
                        None,
                        r.id,
                    )
                )
        return params

    def parameter_values(self) -> dict[str, float]:
        return {p.key: p.value for p in self.parameters()}

    def with_overrides(self, overrides: dict[str, float]) -> RuleSet:
        """Return a copy with the given parameters changed; unknown keys are a user error."""
        known = self.parameter_values()
        unknown = [k for k in overrides if k not in known]
        if unknown:
            raise UserError(f"Ukendte parametre i scenariet: {', '.join(sorted(unknown))}.")
        if not overrides:
            return self
        discretion = self.discretion
        if discretion and "d.minimum" in overrides and float(overrides["d.minimum"]) < discretion.minimum:
            # Departments under the limit have suppressed data (docs/domain.md §3): no scenario may show them.
            raise UserError(
                f"Diskretionsgrænsen kan ikke sættes under {formatting.short(discretion.minimum)} "
                f"i et scenarie (forsøgt: {formatting.short(float(overrides['d.minimum']))})."
            )
        if discretion and "d.minimum" in overrides:
            discretion = discretion.model_copy(update={"minimum": float(overrides["d.minimum"])})
        sets = [
            s.model_copy(
                update={
                    "criteria": [
                        c.with_parameter(overrides[f"c.{s.id}.{c.id}"]) if f"c.{s.id}.{c.id}" in overrides else c
                        for c in s.criteria
                    ]
                }
            )
            for s in self.criteria_sets
        ]
        rules = []
        for r in self.rules:
            update: dict = {
                "gates": [
                    g.with_parameter(overrides[f"g.{r.id}.{g.id}"]) if f"g.{r.id}.{g.id}" in overrides else g
                    for g in r.gates
                ]
            }
            if f"k.{r.id}" in overrides:
                update["min_met"] = int(overrides[f"k.{r.id}"])
            rules.append(r.model_copy(update=update))
        data = self.model_dump(by_alias=True)
        data.update(
            discretion=discretion.model_dump() if discretion else None,
            criteria_set=[s.model_dump(by_alias=True) for s in sets],
            rule=[r.model_dump(by_alias=True) for r in rules],
        )
        return parse_rule_set(data, source="scenariet")

    def diff(self, other: RuleSet) -> dict[str, tuple[float, float]]:
        """Parameters whose values differ: key → (this value, other value)."""
        mine, theirs = self.parameter_values(), other.parameter_values()
        return {k: (mine[k], theirs[k]) for k in mine if k in theirs and mine[k] != theirs[k]}


@dataclass(frozen=True)
class Parameter:
    """One editable number of a rule set."""

    key: str
    kind: Literal["discretion", "threshold", "factor", "min_met", "gate"]
    value: float
    indicator: str | None
    op: str
    reference: str | None
    criteria_set: str | None
    rule: str | None


REFERENCE_LABELS = {"national_pct_convicted": "landsgennemsnittet"}


def _unit_suffix(unit: str) -> str:
    return " %" if unit == "%" else (f" {unit}" if unit and unit != "antal" else "")


def _unique(items: list[str], what: str) -> None:
    dupes = sorted({i for i in items if items.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} skal være unikke; dubletter: {', '.join(dupes)}")


_ERROR_TEXT = {
    "missing": "mangler",
    "extra_forbidden": "er ikke et kendt felt",
    "float_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "int_parsing": "skal være et heltal",
    "int_type": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "string_type": "skal være tekst",
    "bool_type": "skal være true eller false",
    "literal_error": "har en ugyldig værdi",
    "too_short": "må ikke være tom",
    "greater_than_equal": "er for lille",
    "less_than_equal": "er for stor",
    "string_pattern_mismatch": "har et ugyldigt format",
}


#: The indicator the agreement's discretion limit counts (residents aged 18–64).
DISCRETION_INDICATOR = "residents_18_64"


def discretion_floor() -> float:
    """The agreement's discretion limit: departments with fewer residents aged 18–64 show no values."""
    from . import catalogue

    return float(catalogue.agreement()["discretion_min_residents_18_64"])


def check_discretion(rules: RuleSet, *, source: str) -> RuleSet:
    """Refuse a department rule set whose discretion is weaker than the agreement's.

    Applied wherever a rule set is loaded (files, the database, scenarios): a stored or restored
    rule set with ``minimum = 0`` (or none at all) would otherwise put suppressed values on
    screen and in every export.
    """
    if rules.scope != "afdeling":
        return rules
    floor = discretion_floor()
    d = rules.discretion
    if d is None or d.indicator != DISCRETION_INDICATOR or d.minimum < floor:
        found = "ingen diskretion" if d is None else f"{d.indicator} ≥ {formatting.short(d.minimum)}"
        raise UserError(
            f"Regelsættet i {source} overholder ikke aftalens diskretionsgrænse: afdelinger med færre end "
            f"{formatting.short(floor)} beboere i alderen 18–64 år skal være skjult ([discretion] indicator = "
            f'"{DISCRETION_INDICATOR}", minimum ≥ {formatting.short(floor)}); regelsættet har {found}. '
            "Det bruges ikke."
        )
    return rules


def parse_rule_set(data: dict, *, source: str) -> RuleSet:
    """Validate a rule-set mapping; raise :class:`UserError` listing every problem in Danish.

    (The engine's own check: the agreement's discretion limit is enforced where rule sets are
    loaded, :func:`load_rule_set_text`, so that tests may try the engine with any limit.)
    """
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(hele filen)"
            if err["type"] == "value_error":
                text = str(err["msg"]).removeprefix("Value error, ")
            else:
                text = _ERROR_TEXT.get(err["type"], err["msg"])
                if err["type"] == "literal_error":
                    text += f" ({err.get('input')!r}; tilladt: {err['ctx'].get('expected', '')})"
            problems.append(f"{where}: {text}")
        raise UserError(f"Regelsættet i {source} er ugyldigt.", problems=problems) from None


def load_rule_set_text(text: str, *, source: str) -> RuleSet:
    """A rule set from TOML text (a file, the database): valid, and keeping the agreement's
    discretion limit (:func:`check_discretion`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"Regelsættet i {source} er ikke gyldig TOML: {exc}.") from None
    return check_discretion(parse_rule_set(data, source=source), source=source)


def load_rule_set(path: Path) -> RuleSet:
    """Read and validate one rule-set TOML file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"Regelsættet {path} findes ikke.") from None
    return load_rule_set_text(text, source=Path(path).name)


def bundled_rule_sets(directory: Path = RULES_DIR) -> list[RuleSet]:
    """The rule sets shipped under ``data/rules/``, in file-name order."""
    return [load_rule_set(p) for p in sorted(directory.glob("*.toml"))]


@functools.cache
def bundled_presentation(directory: Path = RULES_DIR) -> dict[str, Outcome]:
    """Outcome code → the first bundled outcome with that code (for :meth:`RuleSet.with_presentation`)."""
    out: dict[str, Outcome] = {}
    for rs in bundled_rule_sets(directory):
        for o in rs.outcomes:
            out.setdefault(o.code, o)
    return out
