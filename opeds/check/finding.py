"""What a check reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, on one page of the built site."""

    page: str
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.message}"
