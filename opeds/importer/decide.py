"""What to do with one article's Markdown file on a re-import (pure): the hand-edit decision."""

from __future__ import annotations

from enum import Enum


class Action(Enum):
    """The outcome for one Markdown file."""

    NEW = "new"  # no file yet: write it
    UNCHANGED = "unchanged"  # the file already holds what the importer would write
    UPDATE = "update"  # the importer wrote the file and nobody touched it: write the new text
    OVERWRITE_EDITS = "overwrite-edits"  # edited by hand, and --force says replace it
    KEPT = "kept"  # edited by hand: the editor's version stays
    RENDER = "render"  # cannot tell before the source is parsed and rendered


def decide(recorded: str, current: str | None, new: str | None, *, force: bool) -> Action:
    """Choose the action from digests of the file as last written, as it is now, and as new.

    ``recorded`` is "" when the importer has no record of writing the file; ``current`` is None
    when there is no file (one we wrote and someone deleted stays deleted unless ``force``);
    ``new`` is None when the source was not rendered (it is unchanged).
    """
    if current is None:
        if recorded and not force:
            return Action.KEPT  # deleted by hand: an editor's deletion is an edit too
        return Action.RENDER if new is None else Action.NEW
    if new is None:
        if current == recorded:
            return Action.UNCHANGED
        return Action.RENDER if force else Action.KEPT
    if current == new:
        return Action.UNCHANGED
    if current == recorded:
        return Action.UPDATE
    return Action.OVERWRITE_EDITS if force else Action.KEPT
