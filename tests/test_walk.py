"""The names ``os.walk`` gives below its top, as ``os.path.relpath`` would give them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opeds.common.walk import below


@pytest.mark.parametrize("spelling", ["plain", "trailing slash", "relative", "dot"])
def test_each_walked_folder_is_named_as_relpath_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    for folder in ("2021/03/titel", "2021/04", "pagefind/2021", ".versteckt/x"):
        (tmp_path / "site" / folder).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    top = {"plain": str(tmp_path / "site"), "trailing slash": f"{tmp_path / 'site'}{os.sep}",
           "relative": "site", "dot": "."}[spelling]  # fmt: skip
    if spelling == "dot":
        monkeypatch.chdir(tmp_path / "site")
    walked = [where for where, _dirs, _files in os.walk(top)]
    assert len(walked) == 9  # the top and each folder below it
    assert [below(where, top) for where in walked] == [
        os.path.relpath(where, top) for where in walked
    ]
