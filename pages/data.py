"""Data: import releases, ministry lists, the register and geometry; delete releases; log; backup."""

from ui.data_view import render
from ui.page import preamble


def page() -> None:
    render(preamble("Data", needs_data=False, caption=False))  # the sidebar's pickers, also on an empty database


page()
