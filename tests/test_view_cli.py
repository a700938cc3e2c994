"""`dkg view`, `dkg site` and `dkg demo` as a user runs them, on the bundled corpus."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import cli
from visualize.testing import chromium_missing, headless_chromium, wait_until_drawn

EXTERNAL = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']?https?://""", re.I)


def run(*args):
    return CliRunner().invoke(cli.cli, [str(a) for a in args])


@pytest.mark.parametrize("args, expected_in_page", [
    (["12-NQ/TW"], ["12-NQ/TW", "Ban Thường vụ Huyện ủy", "Công an các xã, thị trấn", "Đảng ủy Công an huyện"]),
    (["1123-CV/TU", "--up"], ["1123-CV/TU", "18/QĐ-TTg", "01-HD/BTCTW", "343-QĐ/TW"]),
    (["12-nq/tw", "--level", "commune"], ["12-NQ/TW", "Công an các xã, thị trấn"]),
    (["--all"], ["Toàn bộ đồ thị", "1123-CV/TU", "12-NQ/ĐUCA", "Đảng ủy các xã, phường"]),
])
def test_view_writes_an_offline_page(corpus_store, tmp_path, args, expected_in_page):
    out = tmp_path / "page.html"
    result = run("view", *args, "-o", out, "--store", str(corpus_store))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    html = out.read_text(encoding="utf-8")
    for text in expected_in_page:
        assert text in html, f"{text!r} missing from the page of {args}"
    assert not EXTERNAL.search(html), "the page must not load anything from the network"


@pytest.mark.parametrize("args, code, message", [
    (["view"], 2, "give a document NAME or --all"),
    (["view", "12-NQ/TW", "--all"], 2, "give a document NAME or --all"),
    (["view", 'x" } ; DROP ALL ; #'], 1, "Error:"),
])
def test_view_refuses_bad_arguments(corpus_store, args, code, message):
    before = run("stats", "--store", str(corpus_store)).output
    result = run(*args, "--store", str(corpus_store))
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert run("stats", "--store", str(corpus_store)).output == before


def test_site_has_a_page_per_document_and_an_index(corpus_store, tmp_path):
    result = run("site", tmp_path / "site", "--store", str(corpus_store))
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in (tmp_path / "site" / "docs").glob("*.html"))
    assert len(pages) == index.count('href="docs/')
    for code in ("12-NQ/TW", "12-NQ/ĐUCA", "1123-CV/TU", "343-QĐ/TW"):
        assert code in index
    assert not EXTERNAL.search(index)


def test_demo_ingests_prints_the_lineage_and_writes_the_page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Ingested 2 document(s)" in result.output
    assert "Ban Thường vụ Huyện ủy" in result.output and "Công an các xã, thị trấn" in result.output
    assert re.search(r"12-NQ/TW reaches \d+ documents", result.output)
    assert (tmp_path / "lineage.html").is_file()
    assert "Wrote lineage.html" in result.output


@pytest.mark.browser
def test_bundled_lineage_page_draws_levels_top_to_bottom_offline(corpus_store, tmp_path):
    why = chromium_missing()
    if why:
        pytest.skip(f"no headless browser: {why}")
    out = tmp_path / "lineage.html"
    assert run("view", "12-NQ/TW", "-o", out, "--store", str(corpus_store)).exit_code == 0
    lineage = run("lineage", "12-NQ/TW", "--format", "json", "--store", str(corpus_store))
    import json

    data = json.loads(lineage.stdout)
    driver = headless_chromium(tmp_path / "profile")
    try:
        driver.get(out.as_uri())
        wait_until_drawn(driver)
        assert driver.execute_script("return dkgGraph.nodes.length") == len(data["nodes"])
        ys = driver.execute_script(
            "var p = dkgGraph.network.getPositions(); var out = {};"
            "dkgGraph.data.nodes.forEach(n => { out[n.id] = [p[n.id].y, n.level || null]; }); return out;")
        by_level = {}
        for node in data["nodes"]:
            y, _ = ys[node["id"]]
            by_level.setdefault(node["level"], []).append(y)
        order = [lvl for lvl in ("central", "district", "commune") if lvl in by_level]
        for upper, lower in zip(order, order[1:]):
            assert max(by_level[upper]) < min(by_level[lower]), f"{upper} must be drawn above {lower}"
        assert driver.execute_script("return document.querySelectorAll('aside li').length") >= 5, "legend"
        assert driver.execute_script("return window.__dkgAlerts.length") == 0
    finally:
        driver.quit()
