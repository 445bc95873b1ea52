"""Every row of every table: how tests prove that a refused import or restore changed nothing."""

from __future__ import annotations

from trappetrin.store import Store


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    cur = store._con.cursor()
    try:
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        cur.close()
