"""Build output and publish targets: only folders that are missing, empty or ours; one at a time."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opeds.build.run import BuildError, build_site
from opeds.common.ownership import MARKER, hold, lock_path, refusal
from tests.support import ROOT, editor_folders, invoke, site_folders, tree_digest


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Sources and content of the seed below ``tmp_path``, not yet built."""
    return editor_folders(tmp_path)


def folders(site: Path, output: Path | str) -> list[str]:
    return [*site_folders(site)[:2], f"--output={output}", f"--cache={site / 'cache'}"]


def test_build_into_content_is_refused_before_any_work(site: Path) -> None:
    assert invoke("build", *site_folders(site)).returncode == 0
    before = tree_digest(site / "content")
    result = invoke("build", *folders(site, site / "content"))
    assert result.returncode == 1
    assert f"refusing to build into {site / 'content'}: it is the folder" in result.stderr
    assert tree_digest(site / "content") == before


def test_build_into_a_folder_of_notes_is_refused(site: Path) -> None:
    notes = site / "notizen"
    notes.mkdir()
    (notes / "einkauf.txt").write_text("Milch\n", encoding="utf-8")
    result = invoke("build", *folders(site, notes))
    assert result.returncode == 1
    assert "holds files we did not write (einkauf.txt)" in result.stderr
    assert [p.name for p in notes.iterdir()] == ["einkauf.txt"]
    assert not (site / "content" / "2022").exists(), "refused before the import ran"
    forced = invoke("build", *folders(site, notes), "--force-target")
    assert forced.returncode == 0, forced.stderr
    assert (notes / "index.html").is_file() and (notes / MARKER).is_file()


def test_build_into_dot_is_refused_without_a_traceback(site: Path) -> None:
    (site / "notiz.txt").write_text("x", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "build", *folders(site, ".")],
        cwd=site, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"refusing to build into {os.path.abspath(site)}" in result.stderr or (
        "refusing to build into ." in result.stderr
    )


def test_the_project_its_parents_root_and_home_are_refused(site: Path) -> None:
    # Checked without running a build: a regression here must not wipe the repository.
    for target in (ROOT, ROOT.parent, ROOT / "content", ROOT / "sources", Path("/"), Path.home()):
        assert refusal(target) is not None, target
    fake = site / "projekt"
    (fake / "content").mkdir(parents=True)
    assert refusal(fake, project=fake) == "it is the project folder"
    assert refusal(site, project=fake) == "it is a parent of the project folder"
    assert refusal(fake / "content" / "x", project=fake).startswith("it is the project's content/")
    assert refusal(fake / "output", project=fake) is None


def test_build_into_a_parent_of_the_content_is_refused(site: Path) -> None:
    result = invoke("build", *folders(site, site))
    assert result.returncode == 1
    assert f"it holds the folder {site / 'sources'} of this run" in result.stderr
    assert (site / "sources").is_dir() and (site / "content" / "pages").is_dir()


def test_a_build_replaces_its_own_output_and_an_empty_folder(site: Path) -> None:
    (site / "output").mkdir()
    assert invoke("build", *site_folders(site)).returncode == 0
    assert (site / "output" / MARKER).is_file()
    again = invoke("build", *site_folders(site))
    assert again.returncode == 0, again.stderr


def test_a_killed_builds_staging_is_cleaned_only_when_ours(site: Path) -> None:
    staging = site / ".output.new"
    staging.mkdir()
    (staging / "fremd.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match=r"refusing to remove .*output\.new"):
        build_site(ROOT / "pelicanconf.py", site / "content", site / "output", cache=site / "c")
    assert (staging / "fremd.txt").read_text(encoding="utf-8") == "mine"
    (staging / MARKER).touch()  # what a killed build of ours leaves
    build_site(ROOT / "pelicanconf.py", site / "content", site / "output", cache=site / "c")
    assert not staging.exists() and (site / "output" / "index.html").is_file()


def test_a_build_killed_between_the_renames_gets_its_site_back(site: Path) -> None:
    build_site(ROOT / "pelicanconf.py", site / "content", site / "output", cache=site / "c")
    (site / "output").rename(site / ".output.old")  # the first rename of a swap, then a kill
    (site / "content" / "pages" / "ueber.md").write_text("kaputt", encoding="utf-8")
    with pytest.raises(BuildError):
        build_site(ROOT / "pelicanconf.py", site / "content", site / "output", cache=site / "c")
    assert (site / "output" / "index.html").is_file(), "the last good site is back in place"


_TAKE_LOCK = """
import sys
from pathlib import Path
from opeds.common.ownership import hold
with hold(Path(sys.argv[1]), "build"):
    pass
"""


def test_the_lock_stops_a_second_command(tmp_path: Path) -> None:
    command = [sys.executable, "-c", _TAKE_LOCK, str(tmp_path / "output")]
    with hold(tmp_path / "output", "build"):
        second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert second.returncode != 0
    assert f"is busy: another command (build, process {os.getpid()})" in second.stderr
    assert "FolderBusy" in second.stderr
    # Released after the first.
    assert subprocess.run(command, cwd=ROOT, check=False).returncode == 0


def test_a_process_that_holds_a_lock_takes_it_again_and_still_holds_it_after(
    tmp_path: Path,
) -> None:
    """``invoke build`` takes the output's lock before its import, and the build takes it again."""
    with hold(tmp_path / "output", "build"):
        with hold(tmp_path / "output/../output", "build"):  # the same folder, written otherwise
            pass
        fd = os.open(lock_path(tmp_path / "output"), os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # as another command finds it: still held
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    with hold(tmp_path / "output", "build"):  # released by the outer one
        pass


def test_two_builds_at_once_never_leave_a_partial_site_or_a_false_success(site: Path) -> None:
    assert invoke("build", *site_folders(site)).returncode == 0
    command = [sys.executable, "-m", "invoke", "build", *site_folders(site)]
    for delay in (0.0, 0.4):
        first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)  # fmt: skip
        time.sleep(delay)
        second = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)  # fmt: skip
        results = [(*p.communicate(), p.returncode) for p in (first, second)]
        codes = sorted(code for _, _, code in results)
        for out, err, code in results:
            if code == 0:
                assert "build: site written to" in out
            else:
                assert "is busy: another command" in err, err
        assert 0 in codes, results
        assert (site / "output" / "2022" / "01").is_dir()
        pages = [p for p in (site / "output").rglob("index.html")]
        assert len(pages) > 10
        assert not (site / ".output.new").exists()


def test_a_build_while_another_holds_the_output_stops_and_changes_nothing(site: Path) -> None:
    assert invoke("build", *site_folders(site)).returncode == 0
    before = tree_digest(site / "output")
    with hold(site / "output", "build"):  # as a running build would
        result = invoke("build", *site_folders(site))
    assert result.returncode == 1
    assert f"{site / 'output'} is busy: another command (build, process {os.getpid()})" in (
        result.stderr
    )
    assert "build: site written" not in result.stdout
    assert tree_digest(site / "output") == before


def test_an_import_while_another_holds_the_content_stops(site: Path) -> None:
    with hold(site / "content", "import"):
        result = invoke("ingest", *site_folders(site)[:2])
    assert result.returncode == 1
    assert "is busy: another command (import, process" in result.stderr
    assert not (site / "content" / "2022").exists()


def test_publish_to_the_project_or_content_is_refused_even_as_a_dry_run(site: Path) -> None:
    url = "--siteurl=https://example.org"
    for target in (ROOT, site / "content", Path("/"), site / "sources"):
        result = invoke("publish", url, f"--target={target}", "--dry-run",
                        *folders(site, site / "pub"))  # fmt: skip
        assert result.returncode == 1
        assert f"refusing to publish into {target}" in result.stderr, result.stderr
    assert not (site / "pub").exists(), "refused before the build"


def test_a_refused_target_is_named_before_the_checkers_are_looked_for(site: Path) -> None:
    # No npm, Java or rsync on the PATH: were the tools prepared first, that would be the error.
    bare = {"PATH": str(Path(sys.executable).parent)}
    result = invoke("publish", "--siteurl=https://example.org", f"--target={ROOT}",
                    *folders(site, site / "pub"), **bare)  # fmt: skip
    assert result.returncode == 1
    assert f"refusing to publish into {ROOT}" in result.stderr, result.stderr
    assert "needs" not in result.stderr


def test_publish_into_a_git_work_tree_is_refused(site: Path) -> None:
    repo = site / "repo"
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    result = invoke("publish", "--siteurl=https://example.org", f"--target={repo}",
                    *folders(site, site / "pub"))  # fmt: skip
    assert result.returncode == 1
    assert "it is a git work tree" in result.stderr
    assert (repo / ".git").is_dir()
