"""Import raw op-ed texts: parse → normalise → render, with files touched only in ``files``."""

from opeds.importer.model import Article, ImportError_, Precision
from opeds.importer.parse import parse
from opeds.importer.render import render

__all__ = ["Article", "ImportError_", "Precision", "parse", "render"]
