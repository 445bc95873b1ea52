"""Download buttons' data that record an "export" in the audit trail when real data are fetched."""

from __future__ import annotations

from ui.auth import current_actor
from ui.context import Context


def audited_download(
    ctx: Context, kind: str, file_name: str, build, *, subject: str | None = None, details: dict | None = None
):
    """A download button's data that records an "export" in the audit trail when it is fetched.

    For demo data nothing is recorded and ``build`` (bytes, or a function giving them) is returned
    as it is. For real data a function is returned that builds the file and logs who fetched
    which file of what (``subject``, by default the release in view), so the record is written
    exactly when the user clicks. ``kind`` is the format ("csv", "xlsx" …).
    """
    if ctx.is_demo:
        return build
    store, who = ctx.store, current_actor().label
    record = {"format": kind, **(details or {})}

    def build_and_log() -> bytes:
        data = build() if callable(build) else build
        store.log_event(who, "export", subject or ctx.release, file_name=file_name, details=record)
        return data

    return build_and_log
