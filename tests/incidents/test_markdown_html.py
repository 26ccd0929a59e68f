"""The Markdown subset post-mortems use, as HTML: structure kept, markup escaped."""

from __future__ import annotations

from nightcall.incidents.markdown_html import markdown_body, markdown_to_html


def test_headings_lists_tasks_tables_and_code_blocks() -> None:
    """Each block form becomes its element."""
    text = "\n".join(
        [
            "## Action items",
            "",
            "- [ ] Alert earlier",
            "- [x] Roll back",
            "",
            "- plain item",
            "",
            "| Time | What |",
            "| --- | --- |",
            "| 03:25 | Deploy a \\| b |",
            "",
            "```",
            "<stack>",
            "```",
            "",
            "A **bold** `a_b` and _note_.",
        ]
    )
    html = markdown_body(text)
    assert "<h2>Action items</h2>" in html
    assert '<ul class="tasks">' in html
    assert '<li><input type="checkbox" disabled> Alert earlier</li>' in html
    assert '<li><input type="checkbox" disabled checked> Roll back</li>' in html
    assert "<ul>\n<li>plain item</li>\n</ul>" in html
    assert "<th>Time</th><th>What</th>" in html
    assert "<td>Deploy a | b</td>" in html
    assert "<pre><code>&lt;stack&gt;</code></pre>" in html
    assert "<p>A <strong>bold</strong> <code>a_b</code> and <em>note</em>.</p>" in html


def test_text_cannot_inject_markup() -> None:
    """An edited section with a script tag shows it as text."""
    page = markdown_to_html("- <script>alert(1)</script>", title="<x>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;x&gt;</title>" in page
