"""Our URL expansion gives exactly the URLs Pelican's own ``url_format`` gives."""

from __future__ import annotations

import datetime as dt

import pytest
from pelican.contents import Article, Page
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category

from opeds.build.run import _pelican_expand_settings, expand_url_setting

PATTERNS = [
    "{date:%Y}/{date:%m}/{slug}/",
    "{date:%Y}/{date:%m}/{slug}/index.html",
    "{category}/{slug}.html",
    "{author}/{lang}/{slug}.html",
    "{path}",
    "sources/{path}/{date.year}-{slug!s:>5}.html",
    "{kicker}/{slug}.html",
    "plain/index.html",
    "{{braces}}/{slug}.html",
    # Dates: formats the C library's strftime gives as Pelican does, and ones it does not.
    "{date:%Y/%m/%d/%H%M%S}/{slug}/",
    "{date:%A %B %j %U %z}/{slug}.html",
    "{date:%-d.%-m.}/{slug}.html",
    "{date:%e %%Y}/{slug}.html",
    "{date}/{slug}.html",
    "{date!s:>30}/{slug}.html",
]


def _settings(pattern: str) -> dict:
    settings = dict(DEFAULT_CONFIG)
    settings["PATH"] = "/srv/content"
    settings["OUTPUT_PATH"] = "/srv/output"
    for key in ("ARTICLE", "ARTICLE_LANG", "DRAFT", "DRAFT_LANG", "PAGE", "PAGE_LANG"):
        settings[f"{key}_URL"] = pattern.removesuffix("index.html")
        settings[f"{key}_SAVE_AS"] = pattern
    return settings


def _contents(settings: dict) -> list:
    date = dt.datetime(2024, 3, 5, 9, 30)
    found = []
    for lang in ("en", "de"):
        for status in ("published", "draft"):
            metadata = {"title": "Ein Titel", "date": date, "slug": "ein-titel", "lang": lang,
                        "status": status, "kicker": "Wirtschaft",
                        "category": Category("Meinung", settings),
                        "author": Author("Anna Muster", settings)}  # fmt: skip
            found.append(Article("<p>x</p>", metadata, settings,
                                 "/srv/content/2024/03/ein-titel.md"))  # fmt: skip
    with_path = {"title": "T", "date": date, "slug": "t", "path": "given/path.md",
                 "kicker": "K"}  # fmt: skip
    found.append(Article("<p>x</p>", with_path, settings, "/srv/content/a/t.md"))
    empty_path = {**with_path, "path": ""}
    found.append(Article("<p>x</p>", empty_path, settings, "/srv/content/a/t.md"))
    aware = {
        **with_path,
        "path": "a/b.md",
        "date": dt.datetime(2024, 3, 5, 9, 3, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    }
    found.append(Article("<p>x</p>", aware, settings, "/srv/content/a/b.md"))
    bare = {"title": "Ohne", "slug": "ohne", "kicker": "K", "date": date}
    found.append(Page("<p>x</p>", bare, settings, "/srv/content/pages/ohne.md"))
    return found


@pytest.mark.parametrize("pattern", PATTERNS)
def test_urls_equal_pelicans(pattern: str) -> None:
    settings = _settings(pattern)
    for content in _contents(settings):
        for key in ("url", "save_as", "lang_url", "lang_save_as"):
            klass = "draft" if getattr(content, "status", "") == "draft" else None
            if isinstance(content, Page):
                klass = None
            assert expand_url_setting(content, key, klass) == _pelican_expand_settings(
                content, key, klass
            ), (pattern, key, content.source_path)
        # And through Pelican's own properties, which now call ours.
        assert content.save_as == _pelican_expand_settings(
            content, "save_as" if content.in_default_lang else "lang_save_as",
            "draft" if getattr(content, "status", "") == "draft" else None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("{nowhere}/{slug}.html", KeyError),  # a missing field fails as in Pelican
        ("{}/{slug}.html", IndexError),  # positional fields are left to Pelican
    ],
)
def test_a_pattern_pelican_refuses_is_refused_alike(pattern: str, error: type) -> None:
    article = _contents(_settings(pattern))[0]
    with pytest.raises(error):
        _pelican_expand_settings(article, "save_as")
    with pytest.raises(error):
        expand_url_setting(article, "save_as")


@pytest.mark.parametrize(
    "fmt",
    ["%Y-%m-%d", "%d. %B %Y", "%A, %d.%m.%Y %H:%M", "%c %x %X", "%z %Z", "%G-W%V-%u",
     "%-d.%-m.%Y", "%e. %B", "%%Y", "", "März %Y", "%Y%"],
)  # fmt: skip
def test_dates_format_as_pelicans_strftime(fmt: str) -> None:
    from pelican.utils import SafeDatetime, strftime

    from opeds.build.run import plain_strftime

    for date in (SafeDatetime(2024, 3, 5, 9, 3, 7),
                 SafeDatetime(2024, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                 SafeDatetime(999, 1, 2)):  # fmt: skip
        expected = _outcome(strftime, date, fmt)
        assert _outcome(plain_strftime, date, fmt) == expected, (fmt, date)
        # The method Pelican calls, patched.
        assert _outcome(SafeDatetime.strftime, date, fmt) == expected


def _outcome(function, *args) -> tuple[str, object]:
    """What ``function`` gives: its value, or the kind of error it raises ("%Y%" fails)."""
    try:
        return "value", function(*args)
    except Exception as error:
        return "error", type(error)


SOURCE_PATHS = [("/site/content", "/site/content/2024/05/a.md"),
                ("/site/content/", "/site/content/a.md"), ("/site/content", "/site/content//a.md"),
                ("/site/content", "/site/content/../x.md"), ("/site/content", "/site/contents/a"),
                ("/site/content", "/site/content/./a.md"), ("/", "/a/b.md"),
                ("/site/./content", "/site/content/a.md"), ("site", "site/a.md"),
                ("/site/content", "relative/a.md")]  # fmt: skip


@pytest.mark.parametrize(("root", "path"), SOURCE_PATHS)
def test_source_paths_relative_to_the_content_are_pelicans(root: str, path: str) -> None:
    from pelican.contents import Content

    from opeds.build.run import _pelican_relative_source_path, relative_source_path

    article = Article("", settings={**DEFAULT_CONFIG, "PATH": root}, source_path=path)
    assert relative_source_path(article) == _pelican_relative_source_path(article)
    assert Content.get_relative_source_path is relative_source_path


@pytest.mark.parametrize("disabled", [False, True])
def test_a_file_of_a_disabled_reader_is_still_named_and_none_is_looked_for_without_one(
    tmp_path, monkeypatch, caplog, disabled: bool
) -> None:
    """Pelican warns of each file only a disabled reader would read; with none, no walk."""
    import logging

    from pelican.generators import ArticlesGenerator
    from pelican.readers import RstReader
    from pelican.settings import read_settings

    import opeds.build.run  # noqa: F401  (its patch of Pelican's generators)
    from tests.support import ROOT

    content = tmp_path / "content"
    (content / "2024").mkdir(parents=True)
    (content / "2024" / "notiz.rst").write_text("Notiz\n=====\n\nText.\n", encoding="utf-8")
    monkeypatch.setattr(RstReader, "enabled", not disabled)
    # Our theme: the plugin's handlers may be connected already, by a test before this one.
    theme = str(ROOT / "theme")
    settings = read_settings(None, override={"PATH": str(content), "CACHE_CONTENT": False,
                                             "THEME": theme, "DEFAULT_LANG": "de"})  # fmt: skip
    output = str(tmp_path / "out")
    generator = ArticlesGenerator(
        context={},
        settings=settings,
        path=str(content),
        theme=settings["THEME"],
        output_path=output,
    )
    walked: list[object] = []
    real = ArticlesGenerator.get_files

    def get_files(self, *args, **kwargs):
        walked.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ArticlesGenerator, "get_files", get_files)
    with caplog.at_level(logging.WARNING):
        generator.check_disabled_readers()
    named = [r.getMessage() for r in caplog.records if "notiz.rst" in r.getMessage()]
    assert len(named) == (1 if disabled else 0)
    assert len(walked) == (1 if disabled else 0)
