"""Names below a folder, as ``os.walk`` goes over it."""

from __future__ import annotations

import os


def below(where: str, top: str) -> str:
    """Return the folder ``where`` that ``os.walk(top)`` gave, relative to ``top`` (``.``: top).

    What ``os.path.relpath`` gives, without its cost: it makes both paths absolute and splits
    them (0.2 s over the 11,000 folders of an output of 10,000 articles). ``os.walk`` joins
    each folder's name to ``top``, so what follows ``top`` in ``where`` is the answer.
    """
    return where[len(top) :].lstrip(os.sep) or "."
