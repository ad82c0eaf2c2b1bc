"""Reading a PDF back with the command-line tools (qpdf and poppler-utils), for tests.

CI installs the tools (``.ci/run``); a test module that needs them says so with
``pytestmark = needs_pdf_tools``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

PDF_TOOLS = ("qpdf", "pdftotext", "pdfinfo", "pdfimages")

needs_pdf_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in PDF_TOOLS),
    reason="needs qpdf and poppler-utils (apt-get install -y qpdf poppler-utils)",
)

_PAGE = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>'
)


def run_tool(*argv: str | Path) -> str:
    """The tool's output; the test fails (with its error) if the tool does."""
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def pages_of(pdf: Path, *options: str) -> list[str]:
    """The text of every page (pdftotext ends each page with a form feed)."""
    return run_tool("pdftotext", *options, "-enc", "UTF-8", pdf, "-").split("\f")[:-1]


def flat(text: str) -> str:
    """Whitespace collapsed, so a phrase broken over lines is still found."""
    return " ".join(text.split())


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run_tool("pdfinfo", pdf), re.M).group(1))


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    bottom: float


def words_by_page(pdf: Path, *options: str) -> list[tuple[float, list[Word]]]:
    """Each page's height and its words with their positions (points from the top left)."""
    out = run_tool("pdftotext", "-bbox", *options, "-enc", "UTF-8", pdf, "-")
    return [
        (
            float(page.group(1)),
            [
                Word(html.unescape(m.group(4)), float(m.group(1)), float(m.group(2)),
                     float(m.group(3)))  # fmt: skip
                for m in _WORD.finditer(page.group(2))
            ],
        )
        for page in _PAGE.finditer(out)
    ]


def pages_missing_marking(pdf: Path, marking: str) -> list[int]:
    """The pages (from 1) without ``marking`` in both their top and their bottom tenth."""
    missing = []
    for number, (height, words) in enumerate(words_by_page(pdf), start=1):
        tops = [w.top for w in words if w.text == marking]
        if not (any(t < height * 0.1 for t in tops) and any(t > height * 0.9 for t in tops)):
            missing.append(number)
    return missing
