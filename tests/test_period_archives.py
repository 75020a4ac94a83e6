"""Our linear period archives give exactly what Pelican's own (quadratic) code gives."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

from pelican.settings import DEFAULT_CONFIG

from opeds.build.run import _pelican_period_archives, linear_period_archives


def test_linear_period_archives_equal_pelicans() -> None:
    rng = random.Random(7)
    start = dt.datetime(2019, 1, 1)
    articles = [SimpleNamespace(date=start + dt.timedelta(days=rng.randrange(900)), n=i)
                for i in range(400)]  # fmt: skip
    rng.shuffle(articles)  # the archive's own order differs from the date order
    dates = sorted(articles, key=lambda a: a.date, reverse=True)
    settings = {**DEFAULT_CONFIG, "YEAR_ARCHIVE_SAVE_AS": "{date:%Y}/index.html",
                "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
                "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html"}  # fmt: skip
    ours = linear_period_archives(None, dates, articles, settings)
    pelicans = _pelican_period_archives(None, dates, articles, settings)
    assert set(ours) == {"year", "month", "day"}
    assert ours == pelicans
    assert sum(len(a["articles"]) for a in ours["month"]) == len(articles)
