"""Streamlit-side helpers shared by the pages (the domain logic lives in ``trappetrin``)."""
