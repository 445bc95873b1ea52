"""Placeholder until this page lands."""

import streamlit as st

from ui.state import context

ctx = context()
st.title("Afdeling")
st.info("Siden er under udvikling.")
