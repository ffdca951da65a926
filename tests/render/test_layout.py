"""Report pages on a phone (390 px wide), measured in a real browser (headless Chromium).

How: tests/headless_chromium.py drives Chromium over the DevTools protocol and gives the page
a phone's viewport (device emulation; a headless window itself is never narrower than 500 px).
A script run in the loaded page measures it: a cell's lines are counted from the boxes a Range
over its text gives (``getClientRects``, one box a line), so ¥67.43万 split before 万 counts two;
every element's right edge is compared with the screen's, except inside a table's scrolling box.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from headless_chromium import EXECUTABLE, Chromium

PHONE_WIDTH = 390
MONEY = re.compile(r"[¥$€£]|\d(?:万|亿|[KMB])\b")


@pytest.fixture(autouse=True)
def _browser_present():
    # `make test` installs Chromium first (scripts/install-test-tools.sh): a missing browser is a
    # failed set-up, never a passing run that measured nothing
    if EXECUTABLE is None:
        pytest.fail("no Chromium found: run scripts/install-test-tools.sh as root, or set CHROMIUM=/path/to/chrome")

MEASURE = """(() => {
  const width = document.documentElement.clientWidth;
  const lineCount = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = [...range.getClientRects()].filter((box) => box.width > 0).map((box) => box.top).sort((a, b) => a - b);
    const half = parseFloat(getComputedStyle(element).fontSize) / 2;
    return tops.filter((top, i) => i === 0 || top - tops[i - 1] > half).length;
  };
  const cells = [...document.querySelectorAll("table td")].map((cell) => ({
    text: cell.textContent, kind: cell.className, lines: lineCount(cell),
    em: cell.clientWidth / parseFloat(getComputedStyle(cell).fontSize)}));
  const past = [...document.body.querySelectorAll("*")]
    .filter((element) => !(element.parentElement && element.parentElement.closest(".table-scroll")))
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .map((element) => `<${element.tagName.toLowerCase()} class="${element.className}"> `
                       + element.textContent.trim().slice(0, 40));
  return {viewport: width, pageWidth: document.documentElement.scrollWidth, cells, past};
})()"""


def measure(browser: Chromium, page: Path) -> dict:
    browser.open(page.as_uri())
    return browser.evaluate(MEASURE)


def problems(page: str, report: dict) -> list[str]:
    """What a reader on a phone would trip over: the page wider than the screen, anything but a
    table's own scrolling box reaching past its edge, a figure or code on two lines, a name
    column so narrow it holds a character or two a line."""
    found = [f"{page}: page {report['pageWidth']} px wide"] if report["pageWidth"] > report["viewport"] else []
    found += [f"{page}: past the screen's edge: {element}" for element in report["past"]]
    for cell in report["cells"]:
        if cell["lines"] > 1 and (MONEY.search(cell["text"]) or cell["kind"] in ("num", "short")):
            found.append(f"{page}: {cell['text']!r} ({cell['kind']}) on {cell['lines']} lines")
        if cell["kind"] == "text" and cell["em"] < 6:
            found.append(f"{page}: text column {cell['em']:.1f} characters wide at {cell['text']!r}")
    return found


def test_the_probe_sees_split_figures_and_overflow(tmp_path):
    """The measuring itself: a figure squeezed onto two lines and a paragraph wider than the
    phone are reported; a wide table inside its scrolling box is not."""
    page = tmp_path / "probe.html"
    page.write_text("""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="margin:0">
<table><tr><td style="width:1em">¥67.43万</td></tr></table>
<div class="table-scroll" style="overflow-x:auto"><table><tr><td style="white-space:nowrap">"""
                    + "¥1.00万 " * 80 + """</td></tr></table></div>
<p style="width:600px">too wide</p></body></html>""", encoding="utf-8")
    with Chromium(PHONE_WIDTH) as browser:
        report = measure(browser, page)
    assert report["viewport"] == PHONE_WIDTH
    assert (report["cells"][0]["text"], report["cells"][0]["lines"]) == ("¥67.43万", 2)
    found = problems("probe", report)
    assert "probe: '¥67.43万' () on 2 lines" in found
    assert 'probe: past the screen\'s edge: <p class=""> too wide' in found
    assert not any("¥1.00万 ¥1.00万" in line for line in found)


@pytest.mark.slow
@pytest.mark.parametrize("region", ["east", "all"])
def test_report_pages_read_on_a_phone(demo_run, region):
    """Every report page of a region (and the run's index) at 390 px: no figure split, nothing
    past the screen's edge but the tables, which scroll in their own box."""
    folder = next((demo_run / "outputs").glob(f"*/{region}"))
    pages = sorted(folder.glob("*.html")) + [folder.parent / "index.html"]
    assert {"summary.html", "value.html", "quality.html"} <= {page.name for page in pages}
    found, amounts = [], 0
    with Chromium(PHONE_WIDTH) as browser:
        for page in pages:
            report = measure(browser, page)
            assert report["viewport"] == PHONE_WIDTH
            amounts += sum(bool(MONEY.search(cell["text"])) for cell in report["cells"])
            found += problems(page.name, report)
    assert amounts > 50       # the pages were measured with their tables, amounts and all
    assert found == []
