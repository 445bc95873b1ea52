"""The follow-up import kinds and their columns (agreement §7.2), without any logic.

Kept apart from :mod:`trappetrin.followup` (the periods, summaries and the table editor) so the
import kinds (:mod:`trappetrin.imports.followup`) and the domain module both read one spec.
"""

from __future__ import annotations

#: Kind → Danish label, in the order the Data page offers them (after the release kinds).
FOLLOWUP_KINDS = {
    "fleksibel": "Opfølgning: fleksibel udlejning (antal pr. organisation/afdeling og periode)",
    "indmeldt": "Opfølgning: boliger stillet til rådighed for boliganvisningen (én række pr. bolig)",
    "anvist": "Opfølgning: boliger anvendt af boliganvisningen (én række pr. bolig)",
    "fogedsag": "Opfølgning: fogedsager (antal pr. organisation/afdeling og periode)",
}

#: Short Danish names of the kinds (headings, audit trail).
KIND_NAMES = {
    "fleksibel": "Fleksibel udlejning",
    "indmeldt": "Boliger stillet til rådighed",
    "anvist": "Boliger anvendt af boliganvisningen",
    "fogedsag": "Fogedsager",
}

#: Kinds counted per period (``Fra``/``Til``, ``Antal``); the others are one row per dwelling.
PERIOD_KINDS = ("fleksibel", "fogedsag")
DWELLING_KINDS = ("indmeldt", "anvist")

_ORG = (
    "organisationsnummer",
    False,
    ("org_no", "org nr", "org.nr.", "organisation nr", "organisationsnr", "selskab nr"),
)
_DEPT_ID = ("afdelings-id", False, ("dept_id", "afdelings-id", "afdelingsid", "afd id", "afd.-id", "department id"))
_DEPT_NO = ("afdelingsnummer", False, ("dept_no", "afdelingsnr", "afd nr", "afd.nr.", "afdeling nr", "department no"))
_FROM = ("fra", True, ("fra", "fra dato", "periode fra", "periodestart", "start", "from", "period start"))
_TO = ("til", True, ("til", "til dato", "periode til", "periodeslut", "slut", "to", "period end"))
_DATE = (
    "dato",
    True,
    ("dato", "indmeldt dato", "indmeldingsdato", "anvist dato", "anvisningsdato", "udlejningsdato", "date"),
)
_ROOMS = ("værelser", False, ("værelser", "vaerelser", "antal værelser", "rum", "rooms"))
_AREA = ("areal (m²)", False, ("areal", "areal m2", "areal (m2)", "areal (m²)", "m2", "m²", "boligareal", "area"))
_RENT = (
    "husleje (kr. om måneden)",
    True,
    ("husleje", "leje", "månedlig husleje", "husleje kr", "husleje (kr. om måneden)", "rent", "monthly rent"),
)

#: Per kind: field → (Danish label, required?, accepted headers), like the other kinds' ``FIELDS``.
FOLLOWUP_FIELDS: dict[str, dict[str, tuple[str, bool, tuple[str, ...]]]] = {
    "fleksibel": {
        "org_no": _ORG,
        "dept_id": _DEPT_ID,
        "dept_no": _DEPT_NO,
        "period_start": _FROM,
        "period_end": _TO,
        "criterion": ("kriterium", False, ("kriterium", "kriterie", "udlejningskriterium", "criterion")),
        "count": (
            "antal udlejninger",
            True,
            ("antal", "antal udlejninger", "udlejninger", "fleksible udlejninger", "count", "lettings"),
        ),
    },
    "indmeldt": {
        "org_no": _ORG,
        "dept_id": _DEPT_ID,
        "dept_no": _DEPT_NO,
        "date": _DATE,
        "rooms": _ROOMS,
        "area_m2": _AREA,
        "rent": _RENT,
    },
    "anvist": {
        "org_no": _ORG,
        "dept_id": _DEPT_ID,
        "dept_no": _DEPT_NO,
        "date": _DATE,
        "rooms": _ROOMS,
        "area_m2": _AREA,
        "rent": _RENT,
    },
    "fogedsag": {
        "org_no": _ORG,
        "dept_id": _DEPT_ID,
        "dept_no": _DEPT_NO,
        "period_start": _FROM,
        "period_end": _TO,
        "count": (
            "antal fogedsager",
            True,
            ("antal", "antal fogedsager", "fogedsager", "udsættelser", "count", "cases"),
        ),
    },
}

#: Template headers per kind (the first accepted spelling people see in the template files).
TEMPLATE_HEADERS = {
    "fleksibel": ["Organisationsnummer", "Afdelings-id", "Fra", "Til", "Kriterium", "Antal udlejninger"],
    "indmeldt": ["Organisationsnummer", "Afdelings-id", "Dato", "Værelser", "Areal (m²)", "Husleje"],
    "anvist": ["Organisationsnummer", "Afdelings-id", "Dato", "Værelser", "Areal (m²)", "Husleje"],
    "fogedsag": ["Organisationsnummer", "Afdelings-id", "Fra", "Til", "Antal fogedsager"],
}
