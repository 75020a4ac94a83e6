"""`invoke publish --target rclone:…` syncs the site to a real S3 server on loopback.

The server is `rclone serve s3` over a temporary folder, started by the test; the client is
configured the way a user would, through `RCLONE_CONFIG_<NAME>_*` variables. The folder
behind the server shows what the bucket holds; an object's inode and change time show
whether it was written again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opeds.common.ownership import MARKER
from opeds.publish.objectstore import precompressed_copies, rclone_binary
from opeds.publish.targets import PublishError, Target, check_reachable, publish
from tests.support import ROOT, SEED, editor_folders, invoke, tree_digest

SITEURL = "https://example.org/meinung"
KEY, SECRET = "opeds-test-key", "opeds-test-secret"
REMOTE = "rclone:store:site/www"  # the remote "store", bucket "site", prefix "www"


class Store:
    """A running `rclone serve s3` and the folder it serves (one folder per bucket)."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.root, self.endpoint = root, endpoint

    @property
    def bucket(self) -> Path:
        return self.root / "site" / "www"

    def stamps(self) -> dict[str, tuple[int, int]]:
        """Map each object to its file's inode and change time: both change on every upload."""
        return {
            p.relative_to(self.bucket).as_posix(): (p.stat().st_ino, p.stat().st_ctime_ns)
            for p in sorted(self.bucket.rglob("*"))
            if p.is_file()
        }

    def objects(self) -> dict[str, dict]:
        """List the objects with what the server answers for each (type, metadata)."""
        listing = subprocess.run(
            [rclone_binary(), "lsjson", "--recursive", "--files-only", "--metadata",
             "store:site/www"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return {entry["Path"]: entry for entry in json.loads(listing)}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """Start an S3 server on a free loopback port and point the rclone remote "store" at it."""
    root = tmp_path / "s3"
    root.mkdir()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [rclone_binary(), "serve", "s3", str(root), "--addr", "127.0.0.1:0",
         "--auth-key", f"{KEY},{SECRET}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        endpoint = wait_for_address(tmp_path / "serve.log", server)
        # The user's own rclone config must not leak in; the remote comes from the environment.
        monkeypatch.setenv("RCLONE_CONFIG", str(tmp_path / "no-rclone.conf"))
        for name, value in {"TYPE": "s3", "PROVIDER": "Rclone", "ENDPOINT": endpoint,
                            "ACCESS_KEY_ID": KEY, "SECRET_ACCESS_KEY": SECRET}.items():  # fmt: skip
            monkeypatch.setenv(f"RCLONE_CONFIG_STORE_{name}", value)
        yield Store(root, endpoint)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def wait_for_address(log: Path, server: subprocess.Popen) -> str:
    """Read the address the server chose from its log ("Starting s3 server on [http://…/]")."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = re.search(r"Starting s3 server on \[(http://127\.0\.0\.1:\d+)/?\]", log.read_text())
        if found:
            return found.group(1)
        assert server.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(f"rclone serve s3 did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A production build of the seed with its .gz/.br copies, as `invoke publish` makes it."""
    from opeds.build.run import build_site
    from opeds.importer.files import ingest

    base = tmp_path_factory.mktemp("objectstore")
    (base / "sources").mkdir()
    shutil.copy(SEED, base / "sources")
    shutil.copytree(ROOT / "content" / "pages", base / "content" / "pages")
    assert ingest(base / "sources", base / "content").ok
    build_site(ROOT / "publishconf.py", base / "content", base / "site", cache=base / "cache",
               compress=True, SITEURL=SITEURL, FEED_DOMAIN=SITEURL)  # fmt: skip
    return base / "site"


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A copy of the build that a test may change."""
    return Path(shutil.copytree(built, tmp_path / "build"))


def without_copies(site: Path) -> dict[str, str]:
    """The digests of what the bucket should hold: the site less its precompressed copies."""
    copies = set(precompressed_copies(site))
    return {name: digest for name, digest in tree_digest(site).items() if name not in copies}


def invoke_publish(editor: Path, *extra: str) -> subprocess.CompletedProcess:
    folders = [f"--source={editor / 'sources'}", f"--content={editor / 'content'}",
               f"--output={editor / 'build'}", f"--cache={editor / 'cache'}"]  # fmt: skip
    command = [sys.executable, "-m", "invoke", "publish", f"--target={REMOTE}",
               f"--siteurl={SITEURL}", *folders, *extra]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPEDS_")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def editor(tmp_path: Path) -> Path:
    """An editor's folders: the seed as source, the about page as content."""
    return editor_folders(tmp_path)


def test_first_publish_puts_the_checked_site_in_the_bucket(store: Store, editor: Path) -> None:
    result = invoke_publish(editor)
    assert result.returncode == 0, result.stderr
    assert "0 findings" in result.stdout and "published" in result.stdout
    build = editor / "build"
    assert (build / "index.html.br").is_file()  # the build has copies; the bucket does not
    assert tree_digest(store.bucket) == without_copies(build)
    assert "new      index.html" in result.stdout.splitlines()
    assert f'href="{SITEURL}/archiv/"' in (store.bucket / "index.html").read_text("utf-8")

    objects = store.objects()
    assert set(objects) == set(without_copies(build))
    types = {name: entry["MimeType"] for name, entry in objects.items()}
    assert types["index.html"] == "text/html; charset=utf-8"
    assert types["ueber/index.html"] == "text/html; charset=utf-8"
    assert types["theme/css/site.css"] == "text/css; charset=utf-8"
    assert types["theme/js/search.js"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert types["feed.json"] == "application/json"
    assert types["theme/favicon.svg"] == "image/svg+xml"
    assert types["feeds/atom.xml"].split(";")[0] in {"application/xml", "text/xml"}
    # Nothing claims an encoding: every object is stored as the plain bytes it names.
    assert not [n for n, e in objects.items() if "content-encoding" in e.get("Metadata", {})]


def test_a_failing_check_leaves_the_bucket_as_it_was(
    store: Store, editor: Path, built: Path
) -> None:
    publish(built, Target.parse(REMOTE))
    before = store.stamps()
    page = editor / "content" / "pages" / "ueber.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[Impressum](/impressum/)\n", "utf-8")
    result = invoke_publish(editor)
    assert result.returncode == 1
    assert "broken link '/impressum/'" in result.stderr
    assert store.stamps() == before
    assert tree_digest(store.bucket) == without_copies(built)


def test_a_second_publish_uploads_only_the_changed_page(store: Store, site: Path) -> None:
    target = Target.parse(REMOTE)
    publish(site, target)
    before = store.stamps()
    assert publish(site, target) == "nothing to publish: the store already holds this site\n"
    assert store.stamps() == before

    page = site / "ueber" / "index.html"
    page.write_text(page.read_text("utf-8").replace("</main>", "<p>Neu.</p></main>"), "utf-8")
    assert publish(site, target) == "changed  ueber/index.html\n"
    after = store.stamps()
    assert {name for name in before if after[name] != before[name]} == {"ueber/index.html"}
    assert (store.bucket / "ueber" / "index.html").read_bytes() == page.read_bytes()


def test_a_deleted_page_is_deleted_from_the_bucket(store: Store, site: Path) -> None:
    target = Target.parse(REMOTE)
    publish(site, target)
    before = store.stamps()
    shutil.rmtree(site / "ueber")
    assert publish(site, target) == "delete   ueber/index.html\n"
    assert not (store.bucket / "ueber").exists()
    assert store.stamps() == {k: v for k, v in before.items() if k != "ueber/index.html"}


def test_a_failed_upload_replaces_no_page_and_deletes_nothing(
    store: Store, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Target.parse(REMOTE)
    publish(site, target)
    before = store.stamps()
    # The failure below fails at once instead of after rounds of back-off.
    monkeypatch.setenv("RCLONE_RETRIES", "1")
    monkeypatch.setenv("RCLONE_LOW_LEVEL_RETRIES", "1")
    # The next site has a new stylesheet, a changed home page and no about page; the store
    # refuses the stylesheet (a folder holds its name), as a store may refuse any upload.
    (site / "theme" / "css" / "neu.css").write_text("main { color: red }\n", "utf-8")
    (store.bucket / "theme" / "css" / "neu.css").mkdir()
    (store.bucket / "theme" / "css" / "neu.css" / "blocker").write_text("x", "utf-8")
    home = site / "index.html"
    home.write_text(home.read_text("utf-8").replace("</main>", "<p>Neu.</p></main>"), "utf-8")
    shutil.rmtree(site / "ueber")
    with pytest.raises(PublishError, match=r"neu\.css"):
        publish(site, target)
    after = store.stamps()
    assert after.pop("theme/css/neu.css/blocker")
    assert after == before  # the old home page and the about page are still served


def test_dry_run_lists_the_changes_and_uploads_nothing(store: Store, site: Path) -> None:
    target = Target.parse(REMOTE)
    assert "new      index.html\n" in publish(site, target, dry_run=True)
    assert not store.bucket.exists()
    publish(site, target)
    before = store.stamps()
    home = site / "index.html"
    home.write_text(home.read_text("utf-8").replace("</main>", "<p>Neu.</p></main>"), "utf-8")
    (site / "neu.txt").write_text("neu\n", "utf-8")
    shutil.rmtree(site / "ueber")
    listing = publish(site, target, dry_run=True)
    assert listing == "changed  index.html\nnew      neu.txt\ndelete   ueber/index.html\n"
    assert store.stamps() == before


def test_s3_url_reads_the_aws_environment(
    store: Store, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("RCLONE_S3_PROVIDER", "Rclone")
    monkeypatch.setenv("RCLONE_S3_ENDPOINT", store.endpoint)
    publish(site, Target.parse("s3://site/www"))
    assert tree_digest(store.bucket) == without_copies(site)


def test_wrong_credentials_fail_and_change_nothing(
    store: Store, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(PublishError, match="rclone"):
        publish(site, Target.parse(REMOTE))
    assert not store.bucket.exists()


def test_an_unknown_remote_stops_publish_before_any_work(tmp_path: Path) -> None:
    result = invoke(
        "publish", "--siteurl=https://example.org", "--target=rclone:nirgends:site/www",
        f"--output={tmp_path / 'build'}", f"--content={tmp_path / 'content'}",
        RCLONE_CONFIG=str(tmp_path / "no-rclone.conf"),
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "publish: rclone knows no remote 'nirgends': add it with `rclone config` or set "
        "RCLONE_CONFIG_NIRGENDS_TYPE and its other RCLONE_CONFIG_NIRGENDS_* variables"
    )
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_path_with_objects_we_did_not_write_is_refused_before_any_work(
    store: Store, site: Path, tmp_path: Path
) -> None:
    foreign = tmp_path / "fremd.txt"
    foreign.write_text("not ours\n", "utf-8")
    subprocess.run([rclone_binary(), "copyto", str(foreign), "store:site/www/fremd.txt"],
                   check=True, capture_output=True)  # fmt: skip
    editor = tmp_path / "editor"
    result = invoke("publish", "--siteurl=https://example.org", f"--target={REMOTE}",
                    f"--output={editor / 'build'}", f"--content={editor / 'content'}")  # fmt: skip
    assert result.returncode == 1
    assert "store:site/www holds objects we did not write (fremd.txt)" in result.stderr
    assert "--force-target" in result.stderr
    assert result.stdout == "" and not editor.exists()
    assert list(store.stamps()) == ["fremd.txt"]

    target = Target.parse(REMOTE)
    check_reachable(target, force=True)  # what --force-target does
    publish(site, target)
    assert not (store.bucket / "fremd.txt").exists()
    assert (store.bucket / MARKER).is_file()  # the site carries our marker: the next one may go
    check_reachable(target)
