"""The static site: an index of every document and one offline lineage page each."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from visualize.site import VIS_ASSET, render_site
from visualize.testing import chromium_missing, headless_chromium, make_cascade, sub_lineage, wait_until_drawn

BUILT = "2026-05-15"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    lineage = make_cascade(40, hostile=True)
    documents = [n for n in lineage["nodes"] if n["kind"] == "document"]
    out = tmp_path_factory.mktemp("site")
    calls = []
    index = render_site(documents, lambda doc_id: sub_lineage(lineage, doc_id), out, built=BUILT,
                        progress=lambda done, total: calls.append((done, total)))
    return {"out": out, "index": index, "documents": documents, "lineage": lineage, "calls": calls}


def test_one_page_per_document_and_an_index(site):
    out: Path = site["out"]
    assert site["index"] == out / "index.html"
    pages = sorted((out / "docs").glob("*.html"))
    assert len(pages) == len(site["documents"])
    assert site["calls"][-1] == (40, 40)
    html = site["index"].read_text(encoding="utf-8")
    links = re.findall(r'<a href="(docs/[a-z0-9-]+\.html)">', html)
    assert len(links) == len(site["documents"]) and all((out / h).is_file() for h in links)
    assert (out / VIS_ASSET).stat().st_size > 100_000


def test_index_counts_tasks_and_implementing_documents(site):
    html = site["index"].read_text(encoding="utf-8")
    row = next(r for r in html.split("<tr ") if ">12-NQ/TW</a>" in r)
    cells = re.findall(r'<td class="n">(\d+)</td>', row)
    lin = site["lineage"]
    tasks = sum(1 for e in lin["edges"] if e["from"] == lin["root"] and e["relation"] == "has_task")
    implementing = sum(1 for e in lin["edges"] if e["to"] == lin["root"] and e["relation"] == "implements")
    assert cells == [str(tasks), str(implementing)] and implementing > 0


@pytest.mark.parametrize("page", ["index.html", "docs/*.html"])
def test_site_pages_are_offline_and_escaped(site, page):
    for path in site["out"].glob(page):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html, re.I):
            assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", tag, re.I), (path, tag)
        assert "<img src=x" not in html and "<script>alert" not in html, path
        assert '<meta charset="utf-8">' in html


def test_pages_link_to_the_shared_script_and_back_to_the_index(site):
    page = next((site["out"] / "docs").glob("12-nq-tw-*.html")).read_text(encoding="utf-8")
    assert f'<script src="../{VIS_ASSET}"></script>' in page
    assert '<a href="../index.html">' in page
    assert "@version 9.1.2" not in page, "vis-network is shared, not copied into every page"


@pytest.mark.browser
def test_index_filters_without_diacritics_and_pages_open_offline(site, tmp_path):
    why = chromium_missing()
    if why:
        pytest.skip(f"no headless browser: {why}")
    from selenium.webdriver.common.by import By

    driver = headless_chromium(tmp_path / "profile")
    try:
        driver.get(site["index"].as_uri())
        rows = lambda: driver.execute_script(  # noqa: E731
            "return Array.from(document.querySelectorAll('#dkg-table tbody tr:not(.hidden)'))"
            ".map(r => r.children[0].textContent)")
        assert len(rows()) == 40
        box = driver.find_element(By.ID, "dkg-filter")
        box.send_keys("nghi quyet 12")
        assert rows() == ["12-NQ/TW", "85-HD/BTGTW"], "the guidance's title names the resolution too"
        box.clear()
        box.send_keys("bo chinh tri")
        assert rows() == ["12-NQ/TW"]
        box.clear()
        box.send_keys("HUONG DAN btgtw")
        assert rows() == ["85-HD/BTGTW"]
        box.clear()
        box.send_keys("bac ninh")
        bac_ninh = rows()
        expected = sum(1 for d in site["documents"] if "Bắc Ninh" in " ".join(str(v) for v in d.values() if v))
        assert 0 < len(bac_ninh) == expected
        driver.find_element(By.LINK_TEXT, bac_ninh[0]).click()
        wait_until_drawn(driver)
        assert driver.execute_script("return dkgGraph.nodes.length") > 1
        assert driver.execute_script("return window.__dkgAlerts") == []
        assert driver.execute_script("return document.querySelectorAll('img[src=x]').length") == 0
    finally:
        driver.quit()
