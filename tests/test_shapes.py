"""SHACL shapes: *_PASS.ttl fixtures conform; each *_XFAIL.ttl fails with exactly the violations its
``# expect: focus | path | shape`` lines name (prefixed names; ``-`` for no path)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from graph.validate import shacl_violations

FIXTURES = Path(__file__).parent / "shapes"
PREFIXES = {"dkg": "https://w3id.org/dkg/ontology#", "dkgsh": "https://w3id.org/dkg/shapes#",
            "ex": "https://example.org/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "prov": "http://www.w3.org/ns/prov#",
            "skos": "http://www.w3.org/2004/02/skos/core#"}


def _expand(name: str) -> str | None:
    if name == "-":
        return None
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def _expected(path: Path) -> set[tuple]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, prop, shape = (part.strip() for part in line[len("# expect:"):].split("|"))
            out.add((_expand(focus), _expand(prop), _expand(shape)))
    return out


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*_PASS.ttl")), ids=lambda p: p.stem)
def test_pass_fixtures_conform(fixture):
    assert shacl_violations(Graph().parse(fixture)) == []


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*_XFAIL.ttl")), ids=lambda p: p.stem)
def test_xfail_fixtures_fail_exactly_as_expected(fixture):
    expected = _expected(fixture)
    assert expected, f"{fixture.name} declares no '# expect:' line"
    found = {(v.focus, v.path, v.shape) for v in shacl_violations(Graph().parse(fixture))}
    assert found == expected


def test_the_ontology_alone_conforms():
    assert shacl_violations(Graph()) == []
