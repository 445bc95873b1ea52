"""Work done once when the server starts (see ``serve.py``), so the first page view is quick.

Nothing here is needed for correctness: a server started with ``streamlit run app.py`` does the
same work on its first page view instead. Any failure is logged and ignored, so a problem here
(say, an empty database) shows up where it belongs: on the page, in Danish.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("trappetrin.warmup")


def warm_up() -> float:
    """Import the app's modules, open the store and classify the newest release once.

    Returns the seconds it took.
    """
    start = time.perf_counter()
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "missing ScriptRunContext": expected here, outside any page view
    try:
        # The pages' imports: pandas, pyarrow, DuckDB, pydeck, altair, PIL (the favicon) and our own,
        # and the ones first made inside a page view: the menu icons' names, PIL's image plugins (read
        # when the favicon is opened, ~0.1 s), getpass (who runs the server, trappetrin.auth).
        import getpass  # noqa: F401

        import PIL.Image
        import streamlit as st
        import streamlit.material_icon_names  # noqa: F401

        PIL.Image.preinit()

        import ui.capacity_view  # noqa: F401
        import ui.charts  # noqa: F401
        import ui.data_view  # noqa: F401
        import ui.scenario_view  # noqa: F401
        from ui import loaders, overview_view, url

        # Streamlit checks once per process, on the first element, whether it runs in a REPL, by
        # walking the call stack; inside a page view that walk costs ~0.2 s. An element outside any
        # page view does the check here instead (and draws nothing).
        st.empty()
        loaders.store()  # the app's own cached connection
        known = loaders.facts()  # releases, rule sets, demo flag: read once per write
        adopted = known.adopted
        loaders.stored_rule_set(f"{adopted.name}@{adopted.version}")
        if known.releases:
            # The newest release under the adopted rule set for the default municipality: the
            # first page's cached look-ups, filled before anyone asks.
            res = loaders.classified(known.releases[-1], adopted)
            # Oversigt's map and red/yellow list as its first view asks for them (no filter, no basemap).
            overview_view.overview(res, known.releases[-1], basemap=False, only=set(res.data.frame.index))
            if len(loaders.municipalities()) > 1:
                # Several municipalities: "Hele landet" too (its map of a pie per municipality and
                # its red/yellow list), with the keys its first view asks for.
                whole = loaders.classified_for(known.releases[-1], adopted, None)
                overview_view.overview(
                    whole,
                    known.releases[-1],
                    basemap=False,
                    only=set(whole.data.frame.index),
                    version=f"{loaders.releases_version()}|{url.ALL_MUNICIPALITIES}",
                )
    except Exception:  # noqa: BLE001 - warming up is optional; the page reports real problems
        log.warning("Opvarmning af serveren mislykkedes; appen starter alligevel.", exc_info=True)
    finally:
        quiet.setLevel(level)
    seconds = time.perf_counter() - start
    log.info("Server warmed up in %.2f s", seconds)
    return seconds
