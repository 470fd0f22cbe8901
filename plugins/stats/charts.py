"""Chart geometry for inline SVG: computed here, drawn by small template macros (statistics_charts.html).

Charts are drawn in a narrow viewBox (320 units) that scales to the column, so on a 375 px phone the
text is drawn a little larger than its nominal size, never smaller. Every bar carries its number as
text, so no colour is needed to read a chart, and the same numbers are in the table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 320
FONT = 14  # user units; ~15 px on a 375 px phone
VALUE_ROOM = 100
LABEL_ROOM = 72  # the width of a month label such as 2024年10月  # space right of the longest bar for its number


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    text: str  # the bar's number, drawn at its end
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    height: float = 0
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)  # axis lines x1 y1 x2 y2
    tracks: list[tuple[float, float, float, float]] = field(default_factory=list)  # full-scale outlines x y w h

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH} {self.height:g}"


def _r(v: float) -> float:
    return round(v, 1)


def bar_chart(chart_id: str, title: str, desc: str, groups: list[tuple[str, list[tuple[str, float, str]]]],
              maximum: float | None = None, track: bool = False) -> Chart:
    """Horizontal bars: each group's label on its own line, then one bar per (series, value, text).

    A label above its bars leaves the whole width for long Chinese names (承办机构, 违法行为类型).
    `track` outlines the full scale behind each bar, for shares of 100 %.
    """
    chart = Chart(chart_id, title, desc)
    top = max([maximum or 0] + [v for _, bars in groups for _, v, _ in bars]) or 1
    span = WIDTH - 2 if track else WIDTH - VALUE_ROOM
    y = 4.0
    for name, bars in groups:
        y += FONT
        # On a full-scale track the number would not fit after the bar: it goes on the label's line.
        texts = [f"{series} {text}" if series else text for series, _, text in bars]
        chart.labels.append(Label(0, _r(y), f"{name}：{'；'.join(texts)}" if track else name))
        y += 5
        for (_, value, _), shown in zip(bars, texts, strict=True):
            w = max(_r(span * value / top), 1.0 if value else 0.0)
            if track:
                chart.tracks.append((0.5, _r(y + 0.5), span - 1, 14))
            chart.bars.append(Bar(0, _r(y), w, 15, "" if track else shown, _r(w + 4), _r(y + 12.5)))
            y += 19
        y += 6
    chart.height = _r(y)
    return chart


def column_panels(chart_id: str, title: str, desc: str, months: list[str],
                  panels: list[tuple[str, list[int]]]) -> Chart:
    """Monthly counts as small multiples: one row of columns per series, months along a shared axis."""
    chart = Chart(chart_id, title, desc)
    left, panel_h = 4.0, 54.0
    slot = (WIDTH - left) / max(len(months), 1)
    y = 0.0
    for name, values in panels:
        top = max(values, default=0) or 1
        y += FONT + 4
        chart.labels.append(Label(0, _r(y), f"{name}（单月最多 {max(values, default=0)} 件）"))
        base = y + 6 + panel_h
        for i, value in enumerate(values):
            h = _r(panel_h * value / top)
            x = _r(left + i * slot + slot * 0.15)
            if value:
                chart.bars.append(Bar(x, _r(base - h), _r(slot * 0.7), h, "", 0, 0))
        chart.lines.append((left, _r(base + 0.5), WIDTH, _r(base + 0.5)))
        y = base + 4
    last_x = -WIDTH
    for i, month in enumerate(months):  # a tick and the month at each January (and the first month)
        x = _r(left + i * slot)
        if (i == 0 or month.endswith("-01")) and x - last_x >= LABEL_ROOM:
            last_x = x
            chart.lines.append((x, _r(y - 4), x, _r(y + 2)))
            anchor = "end" if x > WIDTH - LABEL_ROOM else "start"
            chart.labels.append(Label(x, _r(y + FONT + 2), f"{month[:4]}年{int(month[5:])}月", anchor))
    chart.height = _r(y + FONT + 8)
    return chart
