"""The archive's order and shape: neighbours, years and months, bar charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from babel.dates import get_month_names
from markupsafe import Markup, escape

from opeds.common.names import delivery_number
from opeds.site.i18n import language


def archive_order(article) -> tuple[float, int, str]:
    """Sort key for the archive: newest first; same date in delivery order, then by slug."""
    number = delivery_number(getattr(article, "source_file", ""))
    return (-article.date.timestamp(), number, article.slug)


@dataclass
class Month:
    """One month of the archive with its articles in archive order."""

    year: int
    number: int
    url: str
    articles: list = field(default_factory=list)

    @property
    def count(self) -> int:
        """Count the articles of the month."""
        return len(self.articles)

    @property
    def date(self) -> dt.date:
        """Return the first day of the month, for date filters."""
        return dt.date(self.year, self.number, 1)


@dataclass
class Year:
    """One year of the archive: its months, newest first."""

    number: int
    url: str
    save_as: str
    months: list[Month] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Count the articles of the year."""
        return sum(month.count for month in self.months)

    def month_counts(self) -> list[tuple[int, int]]:
        """Return (month, count) for all twelve months, January first, empty ones as 0."""
        counts = {month.number: month.count for month in self.months}
        return [(number, counts.get(number, 0)) for number in range(1, 13)]


def build_years(articles: list, settings: dict) -> list[Year]:
    """Group articles (in archive order) into years and months, newest first."""
    years: dict[int, Year] = {}
    months: dict[tuple[int, int], Month] = {}
    for article in articles:
        date = article.date
        if date.year not in years:
            years[date.year] = Year(
                date.year,
                settings["YEAR_ARCHIVE_URL"].format(date=date),
                settings["YEAR_PAGE_SAVE_AS"].format(date=date),
            )
        key = (date.year, date.month)
        if key not in months:
            url = settings["MONTH_ARCHIVE_URL"].format(date=date)
            months[key] = Month(date.year, date.month, url)
            years[date.year].months.append(months[key])
        months[key].articles.append(article)
    return sorted(years.values(), key=lambda year: -year.number)


def link_neighbours(articles: list) -> None:
    """Give each article its older and newer neighbour in archive order (newest first)."""
    for index, article in enumerate(articles):
        article.newer_article = articles[index - 1] if index > 0 else None
        article.older_article = articles[index + 1] if index + 1 < len(articles) else None


def bar_chart(bars: list[tuple[str, int]], title: str, description: str, chart_id: str) -> Markup:
    """Draw a bar chart as inline SVG, with a title and a text description for screen readers."""
    bar_width, gap, height, top, bottom = 36, 8, 120, 18, 22
    peak = max((value for _, value in bars), default=0) or 1
    width = len(bars) * (bar_width + gap) + gap
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" width="{width}" '
        f'height="{height + top + bottom}" viewBox="0 0 {width} {height + top + bottom}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        x = gap + index * (bar_width + gap)
        bar = round(height * value / peak, 1)
        y = round(top + height - bar, 1)
        centre = x + bar_width / 2
        parts.append(
            f'<rect class="bar" x="{x}" y="{y}" width="{bar_width}" height="{bar}"></rect>'
            f'<text x="{centre:g}" y="{y - 4:g}" text-anchor="middle">{value}</text>'
            f'<text x="{centre:g}" y="{top + height + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def years_chart(years: list[Year], title: str, chart_id: str = "chart-years") -> Markup:
    """Chart the articles per year, oldest on the left like a time axis."""
    bars = [(str(year.number), year.count) for year in reversed(years)]
    description = ", ".join(f"{label}: {value}" for label, value in bars)
    return bar_chart(bars, title, description, chart_id)


def months_chart(year: Year, title: str, lang: str, chart_id: str = "chart-months") -> Markup:
    """Chart the articles per month of ``year``, January on the left."""
    short = get_month_names("abbreviated", context="stand-alone", locale=language(lang))
    wide = get_month_names("wide", context="stand-alone", locale=language(lang))
    counts = year.month_counts()
    description = ", ".join(f"{wide[number]}: {value}" for number, value in counts)
    return bar_chart([(short[n], v) for n, v in counts], title, description, chart_id)
