"""The HTML report: one self-contained page with its sections, charts and dark mode."""

from __future__ import annotations

from nightcall.cli.report import Report, render_html
from tests.cli.report.pages import parse_page


def test_page_has_every_section_in_order(report: Report) -> None:
    """Summary, events, metrics, anomalies, hypotheses, errors, templates and recommendations
    are sections with stable ids, in reading order."""
    page = parse_page(render_html(report))
    assert page.sections == ["summary", "events", "metrics", "anomalies", "hypotheses", "errors",
                             "templates", "recommendations", "notes"]  # fmt: skip
    assert page.tags.count("table") == 6  # events, RED, resources, anomalies, errors, templates


def test_page_draws_three_charts_per_service_and_a_sparkline_per_resource(report: Report) -> None:
    """Two services with requests give six RED charts; six resource rows give six sparklines;
    the payment charts shade its anomaly and mark the hypothesis' onset."""
    text = render_html(report)
    page = parse_page(text)
    assert page.tags.count("svg") == 6 + 6
    assert text.count('class="chart"') == 6
    assert text.count('class="spark"') == 6
    assert page.tags.count("figure") == 2
    payment = text[text.index("<figcaption>payment</figcaption>") :]
    assert 'class="shade-strong"' in payment
    assert "onset of #1 certificate_expiry" in payment


def test_page_is_self_contained(report: Report) -> None:
    """No script, no stylesheet link, no image or font loaded from anywhere: one file is all."""
    text = render_html(report)
    page = parse_page(text)
    assert page.references == []
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert "url(" not in page.style
    assert "@import" not in page.style
    assert "http://" not in text.split("<body>")[0]


def test_page_follows_dark_mode_and_escapes_telemetry(report: Report) -> None:
    """The style switches colours on prefers-color-scheme; telemetry text cannot inject tags."""
    text = render_html(report)
    page = parse_page(text)
    assert "@media (prefers-color-scheme:dark)" in page.style
    assert '<meta name="color-scheme" content="light dark">' in text
    assert "<code>TLS handshake with &lt;*&gt; failed: certificate has expired</code>" in text
