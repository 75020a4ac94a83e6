"""``invoke bench --articles N``: our build against plain Pelican over one synthetic archive.

Every step runs as its own process, exactly as an editor would run it (``invoke build``), so
the figures include start-up, the import, Pelican, the search index and the swap.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from opeds.bench.generate import raw_article, source_name, write_sources
from opeds.bench.measure import Measurement, measure
from opeds.build.staging import spare_settled
from opeds.search.pagefind import canonical_files

ROOT = Path(__file__).resolve().parent.parent.parent

#: Settings of a plain Pelican site as ``pelican-quickstart`` writes them, typogrify on.
PLAIN_SETTINGS = """\
AUTHOR = "Redaktion"
SITENAME = "Plain Pelican"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
LINKS = (("Pelican", "https://getpelican.com/"),)
SOCIAL = (("You can add links in your config file", "#"),)
DEFAULT_PAGINATION = 10
RELATIVE_URLS = True
TYPOGRIFY = True
"""

SCENARIOS = ("cold", "text edit", "headline edit", "new article", "nothing changed")


def _edit_text(path: Path) -> None:
    """Change one word of the body, as an editor fixing a typo would."""
    text = path.read_text(encoding="utf-8")
    body_start = text.index("\n\n") + 2
    body = re.sub(r"\b(\w+)\b", r"\1e", text[body_start:].rstrip("\n"), count=1)
    path.write_text(text[:body_start] + body + "\n", encoding="utf-8")


def _edit_headline(path: Path) -> None:
    """Give the article a new headline, keeping its date and kicker."""
    header, sep, rest = path.read_text(encoding="utf-8").partition("\n")
    kicker = header.split(" : ", 1)[0]
    path.write_text(f"{kicker} : Eine ganz neue Überschrift{sep}{rest}", encoding="utf-8")


def _background_done(output: Path, limit: float = 120) -> None:
    """Wait for the build's work in the background (the replaced output emptied into the spare).

    Not part of a step's time, it would otherwise run into the next step's, or into plain
    Pelican's run.
    """
    deadline = time.monotonic() + limit
    while not spare_settled(output) and time.monotonic() < deadline:
        time.sleep(0.05)
    _disk_settled()


def _disk_settled() -> None:
    """Wait until the files written so far are on the disk.

    A build writes some hundred megabytes that the kernel writes out over the next half
    minute: without this, the next step (an edit, or plain Pelican after our cold build) ran
    while they were written out, and its time depended on how close it came to the last.
    """
    os.sync()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _page(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read().decode("utf-8")
    except OSError:
        return None


def _compile_project() -> None:
    """Write the bytecode of the project's own modules, as an installed package has it.

    Python writes it on the first import, unless told not to (``PYTHONDONTWRITEBYTECODE``,
    as on the machine the figures come from): then every build compiled the 300 kB of our
    modules again, 0.08 s, which the libraries it compares with, compiled when installed,
    never pay.
    """
    compileall.compile_dir(ROOT / "opeds", quiet=1)
    compileall.compile_file(ROOT / "tasks.py", quiet=1)


def livereload_edits(
    base: Path, sources: Path, content: Path, output: Path, cache: Path, edits: int
) -> list[float]:
    """Seconds from a saved edit of a raw source to its article page served with it.

    ``invoke livereload`` runs on the site as an editor would have it; each edit adds a new
    word to the body of another source, and the page is fetched every 20 ms until it has it.
    (A browser's reload, which the server triggers then, comes on top.)
    """
    state = json.loads((content / ".import-state.json").read_text(encoding="utf-8"))["articles"]
    records = [state[key] for key in sorted(state)]
    port = _free_port()
    command = [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "livereload",
               "--source", str(sources), "--content", str(content), "--output", str(output),
               "--cache", str(cache), "--port", str(port)]  # fmt: skip
    with (base / "livereload.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 600
            while _page(f"http://127.0.0.1:{port}/") is None:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench: invoke livereload did not start")
                time.sleep(0.2)
            time.sleep(2)  # its watches are in place
            seconds = []
            for number in range(edits):
                record = records[(number + 1) * len(records) // (edits + 1)]
                url = f"http://127.0.0.1:{port}/{record['output'].removesuffix('.md')}/"
                source = sources / record["source"]
                marker = f"Bankprobe{number}"
                head, _, body = source.read_text(encoding="utf-8").partition("\n\n")
                started = time.monotonic()
                source.write_text(f"{head}\n\n{marker} {body}", encoding="utf-8")
                while marker not in (_page(url) or ""):
                    if server.poll() is not None or time.monotonic() - started > 600:
                        raise SystemExit(f"bench: the edit of {source.name} never showed")
                    time.sleep(0.02)
                seconds.append(round(time.monotonic() - started, 2))
                print(f"bench: livereload: edit {number + 1} served after {seconds[-1]} s")
                time.sleep(1)
            return seconds
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def _digest(folder: Path) -> str:
    """Hash every file with its path, Pagefind's varying order taken out (see canonical_files)."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
             if p.is_file()}  # fmt: skip
    digest = hashlib.sha256()
    for name, data in sorted(canonical_files(files).items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _html_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def run_bench(
    articles: int,
    report: Path,
    *,
    workdir: Path | None = None,
    verify: bool = False,
    extra: list[str] | None = None,
    publish: bool = False,
    livereload: int = 0,
) -> dict:
    """Build ``articles`` synthetic op-eds cold, after each kind of edit and unchanged; report.

    ``verify`` adds a cold build of the final content with an empty cache and fails when its
    bytes differ from the incremental result. ``publish`` adds ``invoke publish`` to a folder,
    checks included: once from scratch, then after one more text edit. ``livereload`` edits
    that many sources under ``invoke livereload`` and times each until its page is served.
    """
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="opeds-bench-")) if own else workdir
    base.mkdir(parents=True, exist_ok=True)
    sources, content, output, cache = (base / n for n in ("sources", "content", "output", "cache"))
    # Every folder an earlier run left in a reused work folder, and the staging, spare and
    # retired folders beside its outputs: the cold build and the first publish start from
    # nothing (a spare output left there gave the cold build its folders and search index).
    built = [output, base / "publish", base / "verify"]
    beside = [p for out in built for p in base.glob(f".{out.name}.*") if p.is_dir()]
    for folder in (sources, content, cache, base / "plain", base / "target",
                   base / "verify-cache", *built, *beside):  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    _compile_project()
    ours = [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "build",
            "--source", str(sources), "--content", str(content),
            "--output", str(output), "--cache", str(cache), *(extra or [])]  # fmt: skip
    try:
        started = time.perf_counter()
        write_sources(sources, articles)
        seconds = time.perf_counter() - started
        print(f"bench: {articles} synthetic op-eds written in {seconds:.1f} s")
        results: dict[str, Measurement] = {}

        def step(name: str) -> None:
            print(f"bench: {name} …", flush=True)
            results[name] = measure(ours, watch=output, env=env)
            if results[name].returncode:
                raise SystemExit(f"bench: the build failed in the step {name!r}")
            _background_done(output)

        _disk_settled()  # the sources just written
        step("cold")
        pages = _html_pages(output)
        plain_conf = base / "plainconf.py"
        plain_conf.write_text(PLAIN_SETTINGS, encoding="utf-8")
        print("bench: plain Pelican …", flush=True)
        plain = measure(
            [sys.executable, "-m", "pelican", str(content), "-s", str(plain_conf),
             "-o", str(base / "plain"), "-q"],
            watch=base / "plain", env=env,
        )  # fmt: skip
        if plain.returncode:
            raise SystemExit("bench: the plain Pelican build failed")
        _disk_settled()
        names = sorted(sources.iterdir())
        _edit_text(names[len(names) // 2])
        step("text edit")
        _edit_headline(names[len(names) // 3])
        step("headline edit")
        (sources / source_name(articles)).write_text(raw_article(articles), encoding="utf-8")
        step("new article")
        step("nothing changed")
        verified = None
        if verify:
            print("bench: verify: a cold build of the final content …", flush=True)
            check = base / "verify"
            build = ours[: ours.index("--source")]
            command = [*build, "--source", str(sources), "--content", str(content),
                       "--output", str(check), "--cache", str(base / "verify-cache"),
                       *(extra or [])]  # fmt: skip
            if measure(command, env=env).returncode:
                raise SystemExit("bench: the verifying cold build failed")
            _background_done(check)
            verified = _digest(check) == _digest(output)
        # After the check: these edit the content once more, past the output compared.
        served = None
        if livereload:
            served = livereload_edits(base, sources, content, output, cache, livereload)
        if publish:
            command = [sys.executable, "-m", "invoke", "--search-root", str(ROOT), "publish",
                       "--target", str(base / "target"), "--siteurl", "https://example.org/archiv",
                       "--source", str(sources), "--content", str(content),
                       "--output", str(base / "publish"), "--cache", str(cache)]  # fmt: skip
            for name in ("publish: first", "publish: one edit"):
                if name == "publish: one edit":
                    _edit_text(names[len(names) // 4])
                print(f"bench: {name} …", flush=True)
                results[name] = measure(command, watch=base / "target", env=env)
                if results[name].returncode:
                    raise SystemExit(f"bench: {name!r} failed")
                _background_done(base / "publish")
        data = {
            "articles": articles,
            "html_pages": pages,
            "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "plain_pelican": plain.as_dict(),
            "ours": {name: m.as_dict() for name, m in results.items()},
            "build_options": extra or [],
            "cold_ratio_to_plain": round(results["cold"].wall_s / plain.wall_s, 3),
            "warm_equals_cold": verified,
            "livereload_edit_served_s": served,
        }
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print_table(data)
    print(f"bench: report written to {report}")
    if verified is False:
        raise SystemExit("bench: the incremental build differs from a cold build")
    return data


def print_table(data: dict) -> None:
    """Print the figures of a bench report as a Markdown table."""
    rows = [("plain Pelican (cold)", data["plain_pelican"])]
    rows += [(f"ours: {name}", figures) for name, figures in data["ours"].items()]
    print(f"\n{data['articles']} articles, {data['html_pages']} HTML pages\n")
    print("| step | wall s | CPU s | peak MiB (PSS) | peak MiB (RSS sum) | files written |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, m in rows:
        print(f"| {name} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['peak_mib']:.0f} "
              f"| {m.get('peak_rss_mib', 0):.0f} | {m['files_written']} |")  # fmt: skip
    print(f"\ncold build: {data['cold_ratio_to_plain']:.2f} times plain Pelican")
    if data["warm_equals_cold"] is not None:
        print("incremental output identical to a cold build:", data["warm_equals_cold"])
    if data.get("livereload_edit_served_s"):
        print("invoke livereload, one edit until its page is served (s):",
              ", ".join(f"{s:.2f}" for s in data["livereload_edit_served_s"]))  # fmt: skip
