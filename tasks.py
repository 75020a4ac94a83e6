"""Tasks for the op-ed archive: ``invoke --list`` shows them all."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from invoke import task

if TYPE_CHECKING:
    from opeds.common.forked import ForkedCall

ROOT = Path(__file__).parent
CONFIG = {
    "source": ROOT / "sources",
    "content": ROOT / "content",
    "output": ROOT / "output",
    "cache": ROOT / "cache",
    "settings": ROOT / "pelicanconf.py",
    "publish_settings": ROOT / "publishconf.py",
    "publish_output": ROOT / ".publish",  # production URLs: kept apart from the dev output/
    "host": "127.0.0.1",
    "port": 8000,
}


FORCE_TARGET_HELP = (
    "replace or mirror into the folder even if it holds files an earlier build or publish did "
    "not write (never the root, a home folder, the project, content/ or sources/)"
)


def _logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # SIGTERM skips `finally` blocks unless it becomes an exit: this way an import records what
    # it wrote and a build removes its staging folder when asked to stop.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _ingest(
    source: Path,
    content: Path,
    report: str | None = None,
    force: bool = False,
    sections: str | None = None,
    places: str | None = None,
    fatal: bool = True,
    cache: Path | None = None,
):
    """Import sources into content and print the summary; exit 1 on a failed file if ``fatal``.

    ``cache`` keeps each file's digest by its stamp, so unchanged files are not read again.
    """
    from opeds.common.ownership import FolderBusy
    from opeds.common.stamps import CONTENT_FACTS, IMPORT_FACTS
    from opeds.importer.files import IngestError, read_places, write_report
    from opeds.importer.files import ingest as run_ingest
    from opeds.importer.report import ERROR, KEPT, SOURCE_REMOVED, WITHDRAWN
    from opeds.importer.vocabulary import DEFAULT_SECTIONS

    try:
        result = run_ingest(
            source,
            content,
            sections=[s.strip() for s in sections.split(",")] if sections else DEFAULT_SECTIONS,
            places=read_places(Path(places)) if places else (),
            force=force,
            progress=sys.stderr.isatty(),  # a bar on a terminal only: logs stay clean
            facts=cache / IMPORT_FACTS if cache else None,
            borrow=cache / CONTENT_FACTS if cache else None,
            jobs=os.cpu_count() or 1,
        )
    except (IngestError, FolderBusy) as error:
        sys.exit(f"import failed, nothing was written: {error}")
    if report:
        write_report(result, Path(report))
    for entry in result.entries:
        if entry.status == ERROR:
            print(f"{source / entry.source}:{entry.line or 1}: {entry.reason}", file=sys.stderr)
        elif entry.status in (KEPT, SOURCE_REMOVED, WITHDRAWN):
            print(f"{content / entry.output}: {entry.status}: {entry.reason}", file=sys.stderr)
        for warning in entry.warnings:
            print(f"{source / entry.source}: warning: {warning}", file=sys.stderr)
    print(f"import: {result.summary()}")
    if fatal and not result.ok:
        sys.exit(1)
    return result


@task(
    help={
        "report": "write one JSON entry per source file to this path",
        "force": "overwrite Markdown files edited by hand",
        "sections": "comma-separated section words (default: the German list in the importer)",
        "places": "file of extra dateline places, one per line",
    }
)
def ingest(c, source=None, content=None, report=None, force=False, sections=None, places=None):
    """Import raw op-eds from sources/ into Markdown files in content/."""
    _logging()
    _ingest(
        Path(source or CONFIG["source"]),
        Path(content or CONFIG["content"]),
        report,
        force=force,
        sections=sections,
        places=places,
        cache=CONFIG["cache"],
    )


def _siteurl(siteurl: str | None) -> str:
    """Return the public URL from --siteurl or $OPEDS_SITEURL; exit if it is not absolute."""
    url = (siteurl or os.environ.get("OPEDS_SITEURL", "")).rstrip("/")
    if not url.startswith(("https://", "http://")):
        sys.exit("a production build needs the public URL: --siteurl https://example.org/meinung "
                 "or OPEDS_SITEURL")  # fmt: skip
    return url


def _build(
    *,
    source: Path,
    content: Path,
    output: Path,
    cache: Path,
    siteurl: str | None = None,
    check: bool = False,
    strict: bool = False,
    report: str | None = None,
    force_target: bool = False,
    search_shards: bool = True,
) -> Path:
    """Import, build (for ``siteurl`` in production), optionally check, and swap the site in.

    A source that cannot be imported is listed and left out; ``strict`` makes it fatal. The
    import runs in a forked child while this process sets the build up; the build takes its
    result when it comes to the content (see opeds.common.forked).
    """
    from opeds.common.forked import ForkedCall
    from opeds.common.ownership import FolderBusy, hold

    _logging()
    _guard(output, "to build into", [source, content], force_target)
    # Set aside before the fork: a child whose collector walks what it shares with its parent
    # writes to every page of it, and gets a copy of each (the import took 0.2 s longer).
    _set_aside()
    try:
        # The output's lock before the import takes the content's: of two builds at once, the
        # second stops here, instead of each taking one lock and failing on the other's.
        with hold(output, "build"):
            ahead = ForkedCall(_ingest, source, content, report, fatal=False, cache=cache)
            try:
                return _build_after_import(
                    ahead,
                    content=content,
                    output=output,
                    cache=cache,
                    siteurl=siteurl,
                    check=check,
                    strict=strict,
                    force_target=force_target,
                    search_shards=search_shards,
                )
            finally:
                ahead.stop()  # told to stop before it took the import's result: stops, waits
    except FolderBusy as error:
        print(f"build failed, {output} left as it was: {error}", file=sys.stderr)
        sys.exit(1)


def _build_after_import(
    ahead: ForkedCall,
    *,
    content: Path,
    output: Path,
    cache: Path,
    siteurl: str | None,
    check: bool,
    strict: bool,
    force_target: bool,
    search_shards: bool,
) -> Path:
    """The build of :func:`_build`, which takes the result of the import ``ahead`` on its way."""
    from opeds.build.run import BuildError, build_site
    from opeds.importer.report import ERROR

    _set_aside()  # the modules just imported
    imported = None

    def content_ready() -> None:
        nonlocal imported
        imported = ahead.result()
        _set_aside()  # the import's report
        failed = imported.count(ERROR)
        if strict and failed:
            print(f"build stopped: {failed} sources failed to import (--strict); "
                  f"{output} left as it was")  # fmt: skip
            sys.exit(1)

    settings = CONFIG["publish_settings"] if siteurl else CONFIG["settings"]
    overrides = {"SITEURL": siteurl, "FEED_DOMAIN": siteurl} if siteurl else {}
    if not search_shards:
        overrides["SEARCH_SHARDS"] = False

    def verify(staging: Path) -> list:
        return _run_checks(staging, siteurl or "", cache)

    try:
        build_site(
            settings,
            content,
            output,
            cache=cache,
            compress=bool(siteurl),
            verify=verify if check else None,
            force_target=force_target,
            content_ready=content_ready,
            **overrides,
        )
    except BuildError as error:
        if imported is None:  # failed before it came to the content: the import goes on to its end
            ahead.result()
        print(f"build failed, {output} left as it was: {error}", file=sys.stderr)
        sys.exit(1)
    failed = imported.count(ERROR)
    if failed:
        total = len(imported.entries)
        print(
            f"build: site written to {output} without {failed} of {total} "
            "sources that failed to import (listed above; --strict makes that fatal)"
        )
    else:
        print(f"build: site written to {output}")
    return output


def _set_aside() -> None:
    """Exempt all the process holds now from the cycle collector (``gc.freeze``).

    A task's process lives for one task: what a step leaves, the collector need not go over
    again in each full collection of the steps after it, nor at the process's end (0.6 s of
    an edit's build at 10,000 articles, before). Memory is still freed as it is let go of;
    only reference cycles among what was set aside wait for the process to end.
    """
    gc.freeze()


def _guard(folder: Path, what: str, protected: list[Path], force: bool) -> None:
    """Exit before any work unless ``folder`` is missing, empty or filled by us earlier."""
    from opeds.common.ownership import TargetRefused, check_target

    try:
        check_target(folder, what, protected=protected, force=force)
    except TargetRefused as error:
        sys.exit(str(error))


def _folders(source, content, output, cache, default_output: Path) -> dict[str, Path]:
    """Turn the folder options of build and publish into paths, with the project's defaults."""
    return {
        "source": Path(source or CONFIG["source"]),
        "content": Path(content or CONFIG["content"]),
        "output": Path(output or default_output),
        "cache": Path(cache or CONFIG["cache"]),
    }


@task(
    help={
        "production": "use publishconf.py with the public URL from OPEDS_SITEURL, and precompress",
        "siteurl": "the public URL, e.g. https://example.org/meinung (implies --production)",
        "check": "run invoke check on the new site before it replaces the old one",
        "cache": "the build cache folder (default: cache/)",
        "strict": "stop when any source fails to import (default: build without it, list it)",
        "report": "write the import report (one JSON entry per source file) to this path",
        "force_target": FORCE_TARGET_HELP,
        "search_shards": "--no-search-shards: one search index for the whole site, "
        "as SEARCH_SHARDS = False (default: one per year, listed in pagefind/shards.json)",
    }
)
def build(
    c,
    source=None,
    content=None,
    output=None,
    cache=None,
    production=False,
    siteurl=None,
    check=False,
    strict=False,
    report=None,
    force_target=False,
    search_shards=True,
):
    """Build the whole site: import sources, run Pelican and Pagefind, swap the new output in."""
    url = _siteurl(siteurl) if production or siteurl else None
    if check:
        _preflight("invoke build --check")
    folders = _folders(source, content, output, cache, CONFIG["output"])
    _build(
        **folders,
        siteurl=url,
        check=check,
        strict=strict,
        report=report,
        force_target=force_target,
        search_shards=search_shards,
    )
    _set_aside()  # what the build leaves: the process ends with this task, and frees it all


def _run_checks(output: Path, siteurl: str, cache: Path | None = None) -> list:
    """Check a built site and print a one-line summary; return the findings."""
    from opeds.check import check_site

    started = time.perf_counter()
    findings = check_site(output, siteurl, cache=cache)
    pages = sum(1 for _ in output.rglob("*.html"))
    seconds = time.perf_counter() - started
    print(f"check: {pages} pages, {len(findings)} findings, {seconds:.1f} s")
    return findings


def _check(output: Path, siteurl: str = "", cache: Path | None = None) -> None:
    """Check a built site; print each finding with its page and exit 1 if there is any."""
    findings = _run_checks(output, siteurl, cache)
    for finding in findings:
        print(f"{output}/{finding}", file=sys.stderr)
    if findings:
        sys.exit(1)


def _preflight(task_name: str, commands: tuple[str, ...] = ()) -> None:
    """Install the npm checkers if npm can; else stop, before any work, naming what is missing."""
    from opeds.check.tools import advice, prepare

    missing = prepare(commands)
    if missing:
        sys.exit(advice(task_name, missing))


@task(
    help={
        "siteurl": "the URL the site was built for (absolute links to it are internal)",
        "cache": "where each page's check results are kept by its bytes (default: cache/)",
    }
)
def check(c, output=None, siteurl=None, cache=None):
    """Check the built site: internal links and anchors, HTML (Nu checker), feeds."""
    _preflight("invoke check")
    url = siteurl or os.environ.get("OPEDS_SITEURL", "")
    _check(Path(output or CONFIG["output"]), url, Path(cache or CONFIG["cache"]))


@task(
    help={
        "target": "DIR, user@host:path (rsync over SSH), git:REPO[#branch], "
        "rclone:REMOTE:BUCKET/PATH or s3://BUCKET/PATH; default: $OPEDS_PUBLISH_TARGET",
        "siteurl": "the public URL; default: $OPEDS_SITEURL",
        "dry_run": "build and check, then only show what would change",
        "output": "where the production build goes (default .publish/, apart from output/)",
        "strict": "stop when any source fails to import",
        "force_target": FORCE_TARGET_HELP,
    }
)
def publish(
    c,
    target=None,
    siteurl=None,
    dry_run=False,
    source=None,
    content=None,
    output=None,
    cache=None,
    strict=False,
    force_target=False,
):
    """Build with publishconf.py, check the site, and publish it only if both succeeded."""
    from opeds.publish.targets import PublishError, Target, check_reachable
    from opeds.publish.targets import publish as send

    try:
        where = Target.parse(target or os.environ.get("OPEDS_PUBLISH_TARGET", ""))
    except PublishError as error:
        sys.exit(f"publish: {error}")
    url = _siteurl(siteurl)
    folders = _folders(source, content, output, cache, CONFIG["publish_output"])
    # A folder is mirrored with --delete: refuse one that is not ours before anything else,
    # even before the checkers are installed.
    folder = Path(where.location) if where.kind == "folder" else None
    protected = [folders["source"], folders["content"], folders["output"]]
    if folder:
        _guard(folder, "to publish into", protected, force_target)
    try:
        _preflight("invoke publish", where.commands)
        check_reachable(where, force=force_target)
    except PublishError as error:
        sys.exit(f"publish: {error}")
    # The checks run on the new build before it replaces the last one: a failure changes nothing.
    site = _build(**folders, siteurl=url, check=True, strict=strict, force_target=force_target)
    try:
        with _publish_lock(folder):
            if folder:
                _guard(folder, "to publish into", protected, force_target)
            changes = send(site, where, dry_run=dry_run)
    except PublishError as error:
        sys.exit(f"publish failed, the target is as it was: {error}")
    print(changes.rstrip() or "no changes")
    verb = "would publish" if dry_run else "published"
    print(f"publish: {verb} {site} to {where.kind} {where.location}")


@contextlib.contextmanager
def _publish_lock(folder: Path | None):
    """Hold the lock of a folder target while it is mirrored; exit if another publish has it."""
    from opeds.common.ownership import FolderBusy, hold

    if folder is None:
        yield
        return
    try:
        with hold(folder, "publish"):
            yield
    except FolderBusy as error:
        sys.exit(f"publish: {error}")


@task
def serve(c, output=None, host=CONFIG["host"], port=CONFIG["port"]):
    """Serve the built site on http://127.0.0.1:8000/."""
    from opeds.common.browser import make_server

    root = Path(output or CONFIG["output"])
    with make_server(root, host, int(port), quiet=False) as server:
        print(f"Serving {root} at http://{host}:{port}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@task
def livereload(c, source=None, content=None, output=None, cache=None, host=CONFIG["host"],
               port=CONFIG["port"]):  # fmt: skip
    """Rebuild on every change to sources, content, theme or code, and reload the browser."""
    from livereload import Server

    from opeds.build.watch import SiteWatcher, site_inputs

    folders = _folders(source, content, output, cache, CONFIG["output"])
    report = folders["cache"] / "livereload-import.json"
    options = " ".join(f"--{name}={shlex.quote(str(path))}" for name, path in folders.items())

    def rebuild() -> list[Path]:
        report.unlink(missing_ok=True)
        # No input: invoke's copying of this process's own to a build that has ended failed
        # ("I/O operation on closed file") and ended the server.
        c.run(f"{sys.executable} -m invoke -r {shlex.quote(str(ROOT))} build {options} "
              f"--report={shlex.quote(str(report))}", warn=True, in_stream=False)  # fmt: skip
        return _written_content(report, folders["content"])

    watcher = SiteWatcher(
        trees=[folders["source"], folders["content"], ROOT / "theme", ROOT / "opeds"],
        folders=[ROOT],  # the settings files, without the output and caches below it
        wanted=site_inputs(folders["source"], folders["content"], ROOT),
        rebuild=rebuild,
    )
    watcher.rebuild()
    Server(watcher=watcher).serve(host=host, port=int(port), root=str(folders["output"]))


def _written_content(report: Path, content: Path) -> list[Path]:
    """The Markdown files an import wrote or removed, from its report (none if it has none)."""
    from opeds.importer.report import UNCHANGED

    try:
        entries = json.loads(report.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [content / entry["output"] for entry in entries
            if entry.get("output") and entry.get("status") != UNCHANGED]  # fmt: skip


@task
def golden(c):
    """Rebuild the golden site's expected output; review the diff like code before committing."""
    c.run(f"{sys.executable} -m tests.golden_site", pty=False)


@task
def translations(c):
    """Extract the templates' words into theme/translations and update each language's .po."""
    theme = ROOT / "theme"
    template = theme / "translations" / "messages.pot"
    babel = f"{sys.executable} -m babel.messages.frontend"
    c.run(f"{babel} extract --no-location --sort-output --omit-header -F {theme / 'babel.cfg'} "
          f"-o {template} {theme}", pty=False)  # fmt: skip
    c.run(f"{babel} update --no-wrap --ignore-pot-creation-date -i {template} "
          f"-d {theme / 'translations'}", pty=False)  # fmt: skip
    print("translations: edit the .po files below theme/translations in any PO editor")


@task
def clean(c):
    """Remove the built site and caches (content/ and sources/ stay)."""
    for name in ("output", ".output.new", ".output.old", ".output.spare", ".publish",
                 ".publish.new", ".publish.old", ".publish.spare", "cache",
                 ".pytest_cache"):  # fmt: skip
        shutil.rmtree(ROOT / name, ignore_errors=True)


@task
def lint(c):
    """Check style with ruff (lint and format)."""
    with c.cd(str(ROOT)):
        c.run(f"{sys.executable} -m ruff check .", pty=False, in_stream=False)
        c.run(f"{sys.executable} -m ruff format --check .", pty=False, in_stream=False)


@task(pre=[lint])
def test(c, k=None):
    """Run lint, then the whole test suite."""
    selection = f" -k {k!r}" if k else ""
    with c.cd(str(ROOT)):
        # Nothing is read from the terminal (in_stream=False): invoke would copy what comes on
        # this process's standard input into pytest's, and fail when pytest had ended first
        # (a run in the background, its input left open, failed so after every test passed).
        c.run(
            f"{sys.executable} -m pytest{selection}",
            pty=False,
            in_stream=False,
            env={"PYTHONHASHSEED": "0", **os.environ},
        )


@task(
    help={
        "articles": "how many synthetic op-eds to build (default 10,000)",
        "report": "where the JSON report goes (default cache/bench-N.json)",
        "workdir": "keep sources, content, output and cache here instead of a temporary folder",
        "verify": "end with a cold build of the final content; fail if its bytes differ",
        "part": "instead, a named part on the real-article corpus: importer",
        "search_shards": "--no-search-shards: build with one search index for the whole site",
        "publish": "also time invoke publish to a folder, checks included: first, after an edit",
        "livereload": "also time this many edits under invoke livereload, each until it is served",
    }
)
def bench(
    c,
    articles=10_000,
    report=None,
    workdir=None,
    verify=False,
    part=None,
    search_shards=True,
    publish=False,
    livereload=0,
):
    """Time our build (cold, after one edit, unchanged) against plain Pelican; print a table."""
    _logging()
    if part:
        from opeds.bench import run

        run([part])
        return
    from opeds.bench import run_bench

    count = int(articles)
    run_bench(
        count,
        Path(report or CONFIG["cache"] / f"bench-{count}.json"),
        workdir=Path(workdir) if workdir else None,
        verify=verify,
        extra=[] if search_shards else ["--no-search-shards"],
        publish=publish,
        livereload=int(livereload),
    )


@task
def cases(c):
    """Rewrite the importer's expected case files from their inputs (review the diff!)."""
    c.run(f"{sys.executable} -m tests.importer.casebook", pty=False)
