"""Lineage pages in a real headless Chromium, loaded from file:// with every host name unresolvable."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from visualize.html import write_lineage_html
from visualize.testing import (HOSTILE, chromium_missing, headless_chromium, make_cascade, wait_until_drawn)

pytestmark = pytest.mark.browser
PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "tests" / "artifacts"
BUILT = "2026-05-15"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    why = chromium_missing()
    if why:
        pytest.skip(f"no headless browser: {why}")
    driver = headless_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    made = {"small": make_cascade(12), "hostile": make_cascade(12, hostile=True), "large": make_cascade(1500)}
    paths = {name: write_lineage_html(lin, out / f"{name}.html", built=BUILT,
                                      max_nodes=400 if name == "large" else 1500) for name, lin in made.items()}
    return {name: (paths[name], made[name]) for name in made}


def open_page(browser, path):
    browser.get(path.as_uri())
    wait_until_drawn(browser)


def js(browser, script, *args):
    return browser.execute_script(script, *args)


def test_page_draws_offline_with_every_node_and_edge(browser, pages):
    path, lin = pages["small"]
    open_page(browser, path)
    assert js(browser, "return typeof vis") == "object"
    assert js(browser, "return dkgGraph.nodes.length") == len(lin["nodes"])
    assert js(browser, "return dkgGraph.edges.length") == len({(e["from"], e["to"]) for e in lin["edges"]})
    positions = js(browser, "return dkgGraph.network.getPositions([arguments[0]])", lin["root"])
    assert positions[lin["root"]]["y"] == min(js(browser, "return dkgGraph.data.nodes.map(n => n.y)"))
    assert js(browser, "return document.querySelectorAll('aside li').length") >= 10, "the legend is HTML"


def test_hostile_text_shows_and_runs_nothing(browser, pages):
    path, lin = pages["hostile"]
    open_page(browser, path)
    shown = []
    for node in lin["nodes"]:
        hit = next((h for h in HOSTILE if h in (node.get("title") or "") + (node.get("label") or "")), None)
        if hit is None:
            continue
        assert js(browser, "return dkgGraph.focus(arguments[0])", node["id"])
        info = js(browser, "return document.getElementById('dkg-info').textContent")
        tip = js(browser, "return dkgGraph.nodes.get(arguments[0]).title.textContent", node["id"])
        assert hit in info and hit in tip, node["id"]
        shown.append(hit)
    assert set(shown) >= {HOSTILE[0], HOSTILE[1]}
    ev = js(browser, "return dkgGraph.edges.get().map(e => e.title.textContent).join(' ')")
    assert "<svg onload=alert(1)>" in ev or "<img src=x onerror=alert(1)>" in ev
    assert js(browser, "return window.__dkgAlerts") == []
    assert js(browser, "return document.querySelectorAll('svg[onload], [onerror], [onmouseover]').length") == 0
    assert js(browser, "return document.querySelectorAll('img[src=x]').length") == 0
    assert js(browser, "return document.querySelectorAll('script').length") == 3


def test_hovering_a_node_shows_its_tooltip_as_text(browser, pages):
    from selenium.webdriver.common.action_chains import ActionChains

    path, lin = pages["hostile"]
    open_page(browser, path)
    root = lin["root"]
    js(browser, "dkgGraph.network.moveTo({position: dkgGraph.network.getPositions([arguments[0]])[arguments[0]],"
                " scale: 1.2, animation: false})", root)
    dom = js(browser, "var p = dkgGraph.network.getPositions([arguments[0]])[arguments[0]];"
                      "return dkgGraph.network.canvasToDOM(p)", root)
    canvas = browser.find_element("css selector", "#dkg-network canvas")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(browser).move_to_element_with_offset(canvas, int(dom["x"] - w / 2), int(dom["y"] - h / 2)).perform()
    ActionChains(browser).move_by_offset(1, 1).perform()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 5).until(lambda d: d.execute_script(
        "var t = document.querySelector('.vis-tooltip'); return t && t.style.visibility === 'visible'"))
    tip = js(browser, "return document.querySelector('.vis-tooltip').textContent")
    assert "12-NQ/TW" in tip and "<img src=x onerror=alert(1)>" in tip and "Bộ Chính trị" in tip
    assert js(browser, "return window.__dkgAlerts") == []


# fmt: off
SEARCHES = [  # query, the ids the first hit may be
    ("nghi quyet 12",      lambda lin: {lin["root"]}),
    ("Nghị quyết 12",      lambda lin: {lin["root"]}),
    ("12-nq/tw",           lambda lin: {lin["root"]}),
    ("85 HD BTGTW",        lambda lin: {"doc/tw/2022/hd/85"}),
    ("cong an xa",         lambda lin: {n["id"] for n in lin["nodes"] if n["label"].startswith("Công an xã")}),
    ("UY BAN NHAN DAN XA", lambda lin: {n["id"] for n in lin["nodes"] if n["label"].startswith("Ủy ban nhân dân xã")}),
]
# fmt: on


@pytest.mark.parametrize("query,expected", SEARCHES, ids=[s[0] for s in SEARCHES])
def test_search_box_finds_with_or_without_diacritics(browser, pages, query, expected):
    from selenium.webdriver.common.keys import Keys

    path, lin = pages["small"]
    open_page(browser, path)
    box = browser.find_element("id", "dkg-search")
    box.send_keys(query)
    assert js(browser, "return document.querySelectorAll('#dkg-results li').length") >= 1
    box.send_keys(Keys.ENTER)
    selected = js(browser, "return dkgGraph.selected")
    assert selected in expected(lin)
    assert js(browser, "return dkgGraph.network.getSelectedNodes()") == [selected]


def test_click_highlights_the_neighbourhood(browser, pages):
    path, lin = pages["small"]
    open_page(browser, path)
    root = lin["root"]
    dom = js(browser, "var p = dkgGraph.network.getPositions([arguments[0]])[arguments[0]];"
                      "return dkgGraph.network.canvasToDOM(p)", root)
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = browser.find_element("css selector", "#dkg-network canvas")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(browser).move_to_element_with_offset(canvas, int(dom["x"] - w / 2), int(dom["y"] - h / 2)).click().perform()
    assert js(browser, "return dkgGraph.highlighted") == root
    neighbours = {e["from"] for e in lin["edges"] if e["to"] == root} | {e["to"] for e in lin["edges"] if e["from"] == root}
    dimmed = set(js(browser, "return dkgGraph.nodes.get().filter(n => n.color.background.startsWith('rgba(200'))"
                             ".map(n => n.id)"))
    assert dimmed and not (dimmed & (neighbours | {root}))
    assert len(dimmed) == len(lin["nodes"]) - len(neighbours) - 1
    js(browser, "dkgGraph.clearHighlight()")
    assert js(browser, "return dkgGraph.nodes.get().filter(n => n.color.background.startsWith('rgba(200')).length") == 0


def test_large_lineage_is_grouped_and_says_so(browser, pages):
    path, lin = pages["large"]
    open_page(browser, path)
    drawn = js(browser, "return dkgGraph.nodes.length")
    assert drawn <= 400 < len(lin["nodes"])
    assert "được gộp" in js(browser, "return document.querySelector('.notice').textContent")
    group = js(browser, "return dkgGraph.data.nodes.find(n => n.kind === 'group').id")
    js(browser, "dkgGraph.focus(arguments[0])", group)
    assert "dkg view " in js(browser, "return document.querySelector('#dkg-info code').textContent")


def test_screenshot(browser, pages, tmp_path):
    """Writes tests/artifacts/screenshot-lineage.png; DKG_UPDATE_SCREENSHOT=1 also refreshes the README's one."""
    path, lin = pages["small"]
    browser.set_window_size(1500, 950)
    try:
        open_page(browser, path)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "screenshot-lineage.png"
        assert browser.save_screenshot(str(shot))
        png = shot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
        if os.environ.get("DKG_UPDATE_SCREENSHOT"):
            (PROJECT / "docs").mkdir(exist_ok=True)
            shutil.copy(shot, PROJECT / "docs" / "screenshot-lineage.png")
    finally:
        browser.set_window_size(1400, 900)
