"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external link.

It reads on a laptop screen and follows the system's dark mode (`prefers-color-scheme`). Under
the RED table each service gets three charts (request rate, error rate, p95) with its anomaly
windows shaded and onsets marked; the resource table gets a sparkline per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from html import escape

from nightcall.cli.report.document import (
    Block,
    Bullets,
    ChartSlot,
    Heading,
    Paragraph,
    Table,
    report_blocks,
)
from nightcall.cli.report.format import short_time, value
from nightcall.cli.report.model import Report
from nightcall.cli.report.svg import Mark, Shade, line_chart, sparkline
from nightcall.model import format_time_ns

HALF_DAY_NS = 12 * 3600 * 1_000_000_000
RED_CHARTS = (("requests", "requests", "1/s"), ("error_rate", "error rate", "1"),
              ("latency_p95", "p95 latency", "ms"))  # fmt: skip
_CODE = re.compile(r"`([^`]*)`")
LONG_CELL = 40  # cells shorter than this do not wrap (times, numbers, names)
STYLE = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5b6475;--border:#d9dde5;
--accent:#2563eb;--shade:rgba(234,88,12,.13);--shade-strong:rgba(234,88,12,.32);--mark:#dc2626;
--code:#f1f3f7}
@media (prefers-color-scheme:dark){:root{--bg:#12151c;--fg:#e3e7ef;--muted:#9aa3b5;
--border:#2c3342;--accent:#7aa2ff;--shade:rgba(251,146,60,.16);--shade-strong:rgba(251,146,60,.4);
--mark:#f87171;--code:#1f2533}}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-bottom:.25rem;
border-bottom:1px solid var(--border)}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
p{margin:.4rem 0}
code{font:.86em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);
padding:.05em .3em;border-radius:4px;overflow-wrap:anywhere}
.scroll{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:.88rem}
th,td{padding:.28rem .6rem;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.short{white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(316px,1fr));gap:12px;
margin:.75rem 0}
figure{margin:0;padding:8px 10px;border:1px solid var(--border);border-radius:8px}
figcaption{font-weight:600}
svg{display:block}
svg text{fill:var(--muted);font:10px system-ui,sans-serif}
.line{fill:none;stroke:var(--accent);stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
.shade{fill:var(--shade)}.shade-strong{fill:var(--shade-strong)}
.mark{stroke:var(--mark);stroke-width:1.5;stroke-dasharray:3 2}
.axis{stroke:var(--border)}
.legend{color:var(--muted);font-size:.85rem}
"""


def _inline(text: str) -> str:
    return _CODE.sub(r"<code>\1</code>", escape(text, quote=False))


def _table(table: Table, report: Report) -> str:
    def cells(row: tuple[str, ...], tag: str) -> str:
        classes = [
            "num" if i in table.numeric else "" if len(c) > LONG_CELL else "short"
            for i, c in enumerate(row)
        ]
        return "".join(
            f'<{tag} class="{css}">{_inline(c)}</{tag}>' if css else f"<{tag}>{_inline(c)}</{tag}>"
            for css, c in zip(classes, row, strict=True)
        )

    head = cells(table.headers, "th") + ("<th>trend</th>" if table.trends else "")
    rows = []
    for i, row in enumerate(table.rows):
        trend = (
            f"<td>{sparkline(table.trends[i], end_ns=report.end_ns)}</td>"
            if i < len(table.trends) else ""
        )  # fmt: skip
        rows.append(f"<tr>{cells(row, 'td')}{trend}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _time_label(report: Report) -> Callable[[int], str]:
    """Clock times; with the date when the window is long or crosses midnight (UTC)."""
    long = (
        report.end_ns - report.start_ns >= HALF_DAY_NS
        or format_time_ns(report.start_ns)[:10] != format_time_ns(report.end_ns - 1)[:10]
    )

    def label(unix_ns: int) -> str:
        text = format_time_ns(unix_ns)
        return text[5:16].replace("T", " ") if long else text[11:16]

    return label


def _charts(report: Report) -> str:
    """One figure per service with entry spans: its RED charts, anomalies shaded, onsets marked."""
    series = {(s.service, s.signal): s for s in report.red}
    hypotheses = [h for d in (report.diagnosis, report.recent) if d for h in d.hypotheses]
    figures = []
    for service in sorted({s.service for s in report.red}):
        anomalies = [a for a in report.anomalies if a.service == service]
        blamed = {h.onset_ns: f"onset of #{h.rank} {h.kind} ({short_time(h.onset_ns)})"
                  for h in reversed(hypotheses) if h.service == service}  # fmt: skip
        charts = []
        for signal, title, unit in RED_CHARTS:
            summary = series.get((service, signal))
            if summary is None:
                continue
            shades = [Shade(start_ns=a.start_ns, end_ns=a.end_ns, strong=a.name == signal,
                            label=f"{a.series} {a.direction} from {short_time(a.onset_ns)}")
                      for a in anomalies]  # fmt: skip
            onsets = {a.onset_ns: f"onset of {a.series} ({short_time(a.onset_ns)})"
                      for a in anomalies if a.name == signal}  # fmt: skip
            marks = [
                Mark(time_ns=t, label=text) for t, text in sorted({**onsets, **blamed}.items())
            ]
            charts.append(
                line_chart(
                    summary.series,
                    end_ns=report.end_ns,
                    title=title,
                    label=partial(value, unit=unit),
                    time_label=_time_label(report),
                    shades=shades,
                    marks=marks,
                )
            )
        figures.append(
            f"<figure><figcaption>{escape(service)}</figcaption>{''.join(charts)}</figure>"
        )
    legend = (
        "<p class=\"legend\">Shaded: the service's anomaly windows (darker: on that chart's "
        "series). Dashed line: an onset, of an anomaly on that series or of a hypothesis about "
        "the service. Hover for details.</p>"
    )
    return legend + f'<div class="charts">{"".join(figures)}</div>' if figures else ""


def _block(block: Block, report: Report) -> str:
    if isinstance(block, Heading):
        # A level-2 heading's anchor is its section's id.
        anchor = f' id="{escape(block.anchor)}"' if block.anchor and block.level != 2 else ""
        return f"<h{block.level}{anchor}>{_inline(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_inline(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block, report)
    if isinstance(block, Bullets):
        tag = "ol" if block.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, ChartSlot):
        return _charts(report)
    return ""


def render_html(report: Report) -> str:
    """The report as a single HTML document; every level-2 heading opens a `<section>` with
    the heading's anchor as its id."""
    body: list[str] = []
    is_open = False
    for block in report_blocks(report):
        if isinstance(block, Heading) and block.level <= 2:
            if is_open:
                body.append("</section>")
            is_open = block.level == 2
            if is_open:
                body.append(f'<section id="{escape(block.anchor)}">')
        body.append(_block(block, report))
    if is_open:
        body.append("</section>")
    title = f"nightcall debug report, {short_time(report.start_ns)} to {short_time(report.end_ns)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body><main>\n{chr(10).join(body)}\n</main></body></html>\n"
    )
