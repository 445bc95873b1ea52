"""Data: import releases, ministry lists, the register and geometry; delete releases; log; backup."""

from ui.data_view import render

render()
