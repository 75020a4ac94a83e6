"""Build: Pelican into a staging folder, then the search index, the checks and the swap."""
