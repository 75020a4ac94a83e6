"""Small helpers more than one stage needs: atomic writes, names, front matter, serving."""
