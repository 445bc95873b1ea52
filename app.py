"""Trappetrin: the router. Pages live in pages/, logic in trappetrin/, shared UI glue in ui/."""

import streamlit as st

st.set_page_config(page_title="Trappetrin", page_icon=":material/stairs:", layout="wide")

pages = [
    st.Page("pages/oversigt.py", title="Oversigt", icon=":material/map:", default=True, url_path="oversigt"),
    st.Page("pages/scenarie.py", title="Scenarie", icon=":material/tune:", url_path="scenarie"),
    st.Page("pages/udvikling.py", title="Udvikling", icon=":material/trending_up:", url_path="udvikling"),
    st.Page("pages/afdeling.py", title="Afdeling", icon=":material/apartment:", url_path="afdeling"),
    st.Page("pages/anvisning.py", title="Anvisning", icon=":material/home_work:", url_path="anvisning"),
    st.Page("pages/eksport.py", title="Eksport", icon=":material/download:", url_path="eksport"),
]
st.navigation(pages).run()
