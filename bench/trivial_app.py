"""Trivial Streamlit app: the yardstick for rerun latency.

Benchmarks time a widget change in this app (one number input, one line of
output) to learn what a rerun costs when the script itself does nothing:
Streamlit's own round trip (websocket, script run, delta rendering) on this
machine. Trappetrin's pages are judged against that floor.

Run it with ``.venv/bin/streamlit run bench/trivial_app.py``; a benchmark
changes "Tærskel" and waits for the text "Resultat: <value>".
"""

import streamlit as st

x = st.number_input("Tærskel", key="x")
st.write(f"Resultat: {x}")
