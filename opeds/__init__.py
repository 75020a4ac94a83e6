"""The op-ed archive: raw texts in, a searchable static site out (see README.md for the stages)."""

from pathlib import Path

#: The project checkout this package is installed from (editable): settings, theme, node_modules.
PROJECT = Path(__file__).resolve().parent.parent
