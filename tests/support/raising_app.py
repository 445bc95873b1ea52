"""A page whose script fails: for the test that no error details reach the browser.

``tests/e2e/test_server_behaviour.py`` runs it from the repository root, so it gets the app's own
``.streamlit/config.toml``. The exception's message is taken from ``TRAPPETRIN_TEST_SECRET``, so the
test knows what must not appear.
"""

import os

import streamlit as st

st.write("Siden før fejlen")
raise RuntimeError(os.environ.get("TRAPPETRIN_TEST_SECRET", "hemmelig detalje"))
