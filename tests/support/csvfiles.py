"""The colour list as files: compare two Danish-Excel CSVs apart from the time they were made."""

from __future__ import annotations

import re

DANNET = "<DANNET>"
#: The last column, "Dannet", as trappetrin.formatting.datetime writes it (05.12.2026 kl. 13.21).
_DANNET_CELL = re.compile(r";\d{2}\.\d{2}\.\d{4} kl\. \d{2}\.\d{2}(?=\r\n)")


def normalise_dannet(data: bytes) -> bytes:
    """The Danish-Excel CSV with every Dannet cell replaced by ``<DANNET>``.

    Works on the Danish-Excel CSV (``;``, CRLF, UTF-8 with BOM); fails if Dannet is not the last
    column or if any data row lacks a generation time, so the normalisation can't hide a change.
    """
    text = data.decode("utf-8-sig")
    header, _, _ = text.partition("\r\n")
    assert header.split(";")[-1] == "Dannet", "Dannet is expected as the last column"
    rows = text.count("\r\n") - 1
    normalised, replaced = _DANNET_CELL.subn(";" + DANNET, text)
    assert replaced == rows, f"normalised {replaced} Dannet cells in {rows} rows"
    return normalised.encode("utf-8-sig")
