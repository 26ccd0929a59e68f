"""The Markdown subset post-mortems use, as a standalone HTML page.

Headings (`#` to `####`), paragraphs, bullet lists, task lists (`- [ ]`, `- [x]`, shown as
disabled checkboxes), pipe tables, fenced code blocks, and inline `code`, **bold**, _italic_.
Everything else is text: every character is escaped first, so an edited section cannot inject
markup into the page.
"""

from __future__ import annotations

import html
import re

_INLINE = (
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w/])_([^_]+)_(?![\w/])"), r"<em>\1</em>"),
)
_TASK = re.compile(r"^- \[( |x|X)\] (.*)$")
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1d1d1f}table{border-collapse:collapse;width:100%;font-size:.9rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "pre{background:#f5f5f7;padding:.6rem;overflow-x:auto}code{font-size:.9em}"
    "ul.tasks{list-style:none;padding-left:1rem}"
)


def inline(text: str) -> str:
    """Escape `text`, then apply the inline forms (code spans keep their content literal)."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
            continue
        escaped = html.escape(part)
        for pattern, replacement in _INLINE:
            escaped = pattern.sub(replacement, escaped)
        out.append(escaped)
    return "".join(out)


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _table(lines: list[str]) -> list[str]:
    head, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    out = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr></thead>",
        "<tbody>",
    ]
    out += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows]
    return [*out, "</tbody>", "</table>"]


def _list(lines: list[str]) -> list[str]:
    tasks = all(_TASK.match(line) for line in lines)
    out = ['<ul class="tasks">' if tasks else "<ul>"]
    for line in lines:
        task = _TASK.match(line)
        if task:
            checked = " checked" if task.group(1).lower() == "x" else ""
            out.append(
                f'<li><input type="checkbox" disabled{checked}> {inline(task.group(2))}</li>'
            )
        else:
            out.append(f"<li>{inline(line[2:])}</li>")
    return [*out, "</ul>"]


def markdown_body(text: str) -> str:
    """The HTML of a Markdown text (the subset in this module's docstring)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines)
            )
            out.append("<pre><code>" + html.escape("\n".join(lines[i + 1 : end])) + "</code></pre>")
            i = end + 1
        elif heading := re.match(r"^(#{1,4}) (.*)$", line):
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
        elif line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            end = next(
                (j for j in range(i, len(lines)) if not lines[j].startswith("|")), len(lines)
            )
            out += _table(lines[i:end])
            i = end
        elif line.startswith("- "):
            end = next(
                (j for j in range(i, len(lines)) if not lines[j].startswith("- ")), len(lines)
            )
            out += _list(lines[i:end])
            i = end
        else:
            end = next(
                (
                    j
                    for j in range(i, len(lines))
                    if not lines[j].strip() or re.match(r"^(#{1,4} |- |\||```)", lines[j])
                ),
                len(lines),
            )
            end = max(end, i + 1)
            out.append("<p>" + " ".join(inline(x) for x in lines[i:end]) + "</p>")
            i = end
    return "\n".join(out)


def markdown_to_html(text: str, *, title: str) -> str:
    """A standalone HTML page of a Markdown text."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{markdown_body(text)}\n</body>\n</html>\n"
    )
