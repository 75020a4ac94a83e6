"""The hand-edit decision as a table: file as last written, as it is now, as newly rendered."""

from __future__ import annotations

import pytest

from opeds.importer.decide import Action, decide

# recorded: what the importer last wrote ("" = no record); current: the file now (None = none);
# new: what the source renders to (None = not rendered, the source is unchanged).
TABLE = [
    ("", None, None, False, Action.RENDER),
    ("", None, "n", False, Action.NEW),
    ("w", None, "n", False, Action.KEPT),  # deleted by hand: stays deleted
    ("w", None, None, False, Action.KEPT),
    ("w", None, "n", True, Action.NEW),  # --force writes it again
    ("w", "w", None, False, Action.UNCHANGED),
    ("w", "e", None, False, Action.KEPT),
    ("w", "e", None, True, Action.RENDER),
    ("w", "n", "n", False, Action.UNCHANGED),
    ("w", "w", "n", False, Action.UPDATE),
    ("w", "e", "n", False, Action.KEPT),
    ("w", "e", "n", True, Action.OVERWRITE_EDITS),
    ("", "e", "n", False, Action.KEPT),  # a file the importer has no record of writing
    ("", "e", "n", True, Action.OVERWRITE_EDITS),
]


@pytest.mark.parametrize(("recorded", "current", "new", "force", "expected"), TABLE)
def test_decide(recorded, current, new, force, expected) -> None:
    assert decide(recorded, current, new, force=force) is expected
