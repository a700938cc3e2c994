"""Script-like text in the data shows as text in every HTML output, end to end: from a real text file (its name
and a task) and from a record edited by someone else (organisation, evidence, title, issuer) through the store to
`dkg view` and `dkg site`. tests/test_view_html.py checks the renderer on made-up lineage dicts; this checks
that nothing on the way (parser, store, lineage, card) unescapes or drops the text.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.load import record_text
from graph.records import read_record

pytest.importorskip("graph.parse.header", reason="the parser is needed for ingest")

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
HOSTILE = (IMG, SCRIPT)


def _dkg(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def pages(tmp_path_factory, corpus_dir):
    root = tmp_path_factory.mktemp("escaping")
    texts, records, store = root / "texts", root / "records", root / "store"
    texts.mkdir()
    # a text file whose name and one task hold markup: the parser keeps both as they are
    letter = (corpus_dir / "1123-CV-TU-bac-ninh-2026.txt").read_text(encoding="utf-8")
    task = re.search(r"^\s*1\. .+$", letter, re.M)
    assert task, "the founding letter has a task 1"
    letter = letter[:task.end()] + f" {IMG} {SCRIPT}" + letter[task.end():]
    (texts / f"cv {IMG}.txt").write_text(letter, encoding="utf-8")
    shutil.copy(corpus_dir / "huyen-uy-xay-dung-cong-an-xa-2022.txt", texts)
    _dkg("ingest", texts, "--store", store, "--records", records, "--jobs", "1")
    # a record edited by someone else: markup in an organisation, an evidence sentence, the subject, the issuer
    path = next(records.glob("*1123*.yaml"))
    record = read_record(path)
    record.document.subject = f"về việc {SCRIPT} {IMG}"
    record.document.issuer = f"Ban Thường vụ Tỉnh ủy {IMG}"
    record.tasks[1].assignees[0].name = f"Sở Tư pháp {SCRIPT}"
    for reference in record.references:
        for mention in reference.mentions:
            mention.evidence = f"{mention.evidence} {IMG} {SCRIPT}"
        reference.evidence = reference.mentions[0].evidence if reference.mentions else reference.evidence
    path.write_text(record_text(record).replace("reviewed: false", "reviewed: true", 1), encoding="utf-8")
    _dkg("build", "--store", store, "--records", records, "--jobs", "1")
    view = root / "view.html"
    _dkg("view", "1123-CV/TU", "--up", "-o", view, "--store", store)
    down = root / "down.html"
    _dkg("view", "1123-CV/TU", "-o", down, "--store", store)
    _dkg("site", root / "site", "--store", store)
    return {"up": view, "down": down, "site": root / "site", "store": store}


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="dkg-data">(.*?)</script>', page, re.S)
    assert m, "the page has its data element"
    return json.loads(m.group(1))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("which", ["up", "down"])
def test_lineage_pages_carry_the_markup_as_text_only(pages, which):
    page = pages[which].read_text(encoding="utf-8")
    for hostile in HOSTILE:
        assert hostile not in page, f"raw {hostile!r} reached the page"
    outside = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert len(re.findall(r"<script\b", outside)) == 3, "only the page's own three scripts"
    assert not re.search(r"<img\b", outside, re.I)
    texts = _strings(_data(page))
    for field, needle in (("task text", f"{IMG} {SCRIPT}"), ("source file", f"cv {IMG}.txt"),
                          ("organisation", f"Sở Tư pháp {SCRIPT}"), ("evidence", f"{IMG} {SCRIPT}")):
        if which == "up" and field in ("task text", "organisation"):
            continue  # an upward lineage draws the documents above, not the root's tasks
        assert any(needle in t for t in texts), f"the {field} was lost on the way: {needle!r}"


def test_the_site_index_escapes_subject_and_issuer(pages):
    index = (pages["site"] / "index.html").read_text(encoding="utf-8")
    for hostile in HOSTILE:
        assert hostile not in index
    assert html_lib.escape(IMG, quote=False) in index or html_lib.escape(IMG) in index
    assert len(re.findall(r"<script\b", index)) == len(re.findall(r"</script>", index))
    for page in (pages["site"] / "docs").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not any(h in text for h in HOSTILE), page.name
        assert len(re.findall(r"<script\b", text)) == 3, page.name


def test_the_terminal_card_shows_the_text_as_written(pages):
    out = _dkg("show", "1123-CV/TU", "--store", pages["store"]).stdout
    assert f"Sở Tư pháp {SCRIPT}" in out and IMG in out


@pytest.mark.browser
def test_the_page_runs_none_of_it_in_a_browser(pages, tmp_path):
    from visualize.testing import chromium_missing, headless_chromium, wait_until_drawn

    why = chromium_missing()
    if why:
        pytest.skip(f"no headless browser: {why}")
    driver = headless_chromium(tmp_path / "profile")
    try:
        driver.get(Path(pages["down"]).as_uri())
        wait_until_drawn(driver)
        assert driver.execute_script("return window.__dkgAlerts") == []
        assert driver.execute_script("return document.querySelectorAll('img, [onerror]').length") == 0
        assert driver.execute_script("return document.querySelectorAll('script').length") == 3
        tasks = driver.execute_script("return dkgGraph.nodes.get().filter(n => n.title && "
                                      "n.title.textContent.indexOf(arguments[0]) >= 0).length", IMG)
        assert tasks >= 1, "the task's markup shows as text in its tooltip"
    finally:
        driver.quit()
