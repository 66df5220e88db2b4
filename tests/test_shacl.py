"""The SHACL shapes compiled to SPARQL (drugkg.shacl) against pySHACL, the reference implementation.

The same ShapeResult lists, exactly: on every shape fixture (whose ``# expect:`` lines hold as well), on the real
data as built and with violations made in it, and for shapes without sh:message (pySHACL's default texts). Shapes
beyond what the compiler translates are named, and validated by pySHACL instead.
"""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import drugkg.shacl
from drugkg import engine
from drugkg.shacl import UnsupportedShapes, compile_shapes, validate_store
from drugkg.validate import ShapeResult, shacl_results, shape_results
from tests.conftest import DATA, ONTOLOGY, ROOT
from tests.test_validate import as_ntriples, expected_results

SHAPES = ROOT / "ontology" / "shapes.ttl"
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
DKGSH = "https://w3id.org/drugkg/shapes#"


@pytest.fixture(scope="module")
def compiled():
    return compile_shapes(SHAPES)


def sparql_results(ntriples: str, shapes, two_phase: bool = True) -> list[ShapeResult]:
    store = engine.write_store(None, ntriples, ONTOLOGY)
    return validate_store(store, shapes, ntriples, ONTOLOGY, two_phase=two_phase)


@pytest.mark.parametrize("fixture", sorted(p.stem for p in SHAPE_FIXTURES.glob("*.ttl")))
def test_fixture_gives_pyshacls_results(fixture, compiled):
    path = SHAPE_FIXTURES / f"{fixture}.ttl"
    ntriples = as_ntriples(path)
    results = sparql_results(ntriples, compiled)
    assert results == shacl_results(ntriples, ONTOLOGY, SHAPES)
    assert {(r.focus, r.shape, r.message) for r in results} == {
        (focus, shape.replace("dkgsh:", DKGSH), message) for focus, shape, message in expected_results(path)}
    # the check that picks the focus nodes with a violation misses none of them
    assert sparql_results(ntriples, compiled, two_phase=False) == results


def test_values_keep_their_written_form(compiled):
    """The store holds "20.0"^^xsd:decimal as 20; the value is reported as written, as pySHACL reports it."""
    ntriples = as_ntriples(SHAPE_FIXTURES / "quantity.ttl")
    store = engine.write_store(None, ntriples, ONTOLOGY)
    minimum = f"{DKGSH}Quantity-minInclusive"
    assert [r.value for r in validate_store(store, compiled, ntriples) if r.shape == minimum] == ["20.0"]
    assert [r.value for r in validate_store(store, compiled) if r.shape == minimum] == ["20"]


def test_real_data_gives_pyshacls_results(built, compiled):
    """The built store also holds the reasoner's inferences, which pySHACL never sees: they are left out."""
    ntriples = built.compiled.ntriples
    assert validate_store(built.store, compiled, ntriples, ONTOLOGY) == shacl_results(ntriples, ONTOLOGY, SHAPES) == []


def test_real_data_with_violations_gives_pyshacls_results(built, compiled):
    """Every 13th triple of the real data left out: missing labels, sources, roles, types, ... across the shapes."""
    lines = built.compiled.ntriples.splitlines(keepends=True)
    broken = "".join(line for number, line in enumerate(lines) if number % 13 != 5)
    expected = shacl_results(broken, ONTOLOGY, SHAPES)
    assert sparql_results(broken, compiled) == expected == sparql_results(broken, compiled, two_phase=False)
    assert len(expected) > 100 and len({r.shape for r in expected}) > 40


def test_validating_the_real_data_runs_no_pyshacl():
    """pySHACL stays the reference: the build's SHACL step on the real data never loads it."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from drugkg.build import compile_graph\nfrom drugkg.engine import write_store\n"
        "from drugkg.validate import shape_results\n"
        f"data, ontology, shapes = Path({str(DATA)!r}), Path({str(ONTOLOGY)!r}), Path({str(SHAPES)!r})\n"
        "compiled = compile_graph(data, ontology)\n"
        "store = write_store(None, compiled.ntriples, ontology)\n"
        "print(shape_results(store, compiled.ntriples, ontology, shapes), 'pyshacl' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines()[-1] == "[] False"


SHAPES_WITHOUT_MESSAGES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dkg: <https://w3id.org/drugkg/ontology#> .

ex:UnitShape a sh:NodeShape ;
    sh:targetClass dkg:Unit ;
    sh:or ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ] ) ;
    sh:property ex:p1, ex:p2, ex:p3, ex:p4, ex:p5, ex:p6, ex:p7, ex:p8, ex:p9, ex:p10 .
ex:p1 sh:path ex:c ; sh:minCount 2 ; sh:maxCount 3 ; sh:class dkg:Unit .
ex:p2 sh:path ex:d ; sh:datatype xsd:integer ; sh:nodeKind sh:Literal ; sh:minInclusive 5 .
ex:p3 sh:path ex:e ; sh:in ( ex:x ) ; sh:languageIn ( "en" "de-CH" ) .
ex:p4 sh:path ex:f ; sh:pattern "^a" ; sh:flags "i" .
ex:p5 sh:path ex:g ; sh:lessThan ex:h ; sh:lessThanOrEquals ex:i .
ex:p6 sh:path ex:j ; sh:qualifiedValueShape [ sh:class dkg:Unit ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
ex:p7 sh:path ex:k ; sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:boolean ] ) ;
    sh:closed true ; sh:ignoredProperties ( ex:z ) ; sh:property [ sh:path ex:y ] .
ex:p8 sh:path ex:m ; sh:datatype xsd:decimal ; sh:maxCount 1 .
ex:p9 sh:path ex:n ; sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value FILTER(?value > 3) }" ] .
ex:p10 sh:path ex:j ; sh:property ex:p10a .
ex:p10a sh:path ex:a ; sh:minCount 1 ; sh:severity sh:Warning .
ex:ClosedShape a sh:NodeShape ;
    sh:targetClass ex:C ;
    sh:closed true ;
    sh:property [ sh:path ex:ok ] ;
    sh:sparql [ sh:prefixes ex:declarations ; sh:message "failed {$this} {?o}" ;
        sh:select "SELECT $this ?failure WHERE { $this ex:ok ?o FILTER(?o = 1) BIND(true AS ?failure) }" ] .
ex:declarations sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""

DATA_AGAINST_THEM = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dkg: <https://w3id.org/drugkg/ontology#> .
@prefix id: <https://w3id.org/drugkg/id/> .
id:u1 a dkg:Unit ; ex:c id:u2, "lit" ; ex:d "abc"^^xsd:integer, 3, "7"^^xsd:decimal, ex:iri, 10 ;
    ex:e ex:y, "hi"@fr, "x"@de-ch ; ex:f "bcd", "ABC", ex:abc ;
    ex:g 5, 10, "s" ; ex:h 7 ; ex:i 5 ;
    ex:j id:u2, id:u3 ; ex:k "2020-01-01"^^xsd:date, "true"^^xsd:boolean, "x", ex:o ;
    ex:m 1.50, "2.0"^^xsd:decimal, "abc"^^xsd:decimal ; ex:n 1, 5, 7.5 .
id:u2 a dkg:Unit ; ex:a 1 .
id:u3 a dkg:Unit ; ex:b 1 .
ex:o ex:q 1 ; ex:z 2 ; ex:y 3 ; a rdfs:Resource .
ex:c1 a ex:C ; ex:ok 1 ; ex:nope 2 ; a rdfs:Resource .
"""


def test_shapes_without_messages_give_pyshacls_default_texts(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES_WITHOUT_MESSAGES)
    data = tmp_path / "data.ttl"
    data.write_text(DATA_AGAINST_THEM)
    ntriples = as_ntriples(data)
    expected = shacl_results(ntriples, ONTOLOGY, shapes)
    compiled = compile_shapes(shapes)
    assert sparql_results(ntriples, compiled) == expected == sparql_results(ntriples, compiled, two_phase=False)
    assert len(expected) == 36
    assert ShapeResult("https://w3id.org/drugkg/id/u1", "http://example.org/p2", "Value is not Literal with datatype "
                       "xsd:integer", "http://example.org/d", "abc") in expected  # "abc"^^xsd:integer is ill-typed
    assert ShapeResult("http://example.org/c1", "http://example.org/ClosedShape", "failed http://example.org/c1 {?o}",
                       "", "http://example.org/c1") in expected


def test_literals_the_store_holds_in_one_form_count_once(tmp_path):
    """The one known difference: "1.0" and "1.00" (xsd:decimal) are two values to pySHACL, one term in the store."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
                      "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:r ; sh:maxCount 1 ; sh:message \"one\" ] .\n")
    ntriples = ('<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n'
                '<http://example.org/a> <http://example.org/r> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
                '<http://example.org/a> <http://example.org/r> "1.00"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n')
    assert [r.message for r in shacl_results(ntriples, ONTOLOGY, shapes)] == ["one"]
    assert sparql_results(ntriples, compile_shapes(shapes)) == []


UNSUPPORTED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix dkg: <https://w3id.org/drugkg/ontology#> .
ex:S a sh:NodeShape ;
    sh:targetClass dkg:Unit ;
    sh:targetNode ex:x ;
    sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] ,
        [ sh:path ex:q ; sh:maxLength 3 ; sh:node ex:T ] ,
        [ sh:path ex:r ; sh:or ( [ sh:sparql [ sh:select "SELECT $this WHERE { $this ex:r 1 }" ] ] ) ] .
"""


def test_shapes_beyond_the_compiler_are_named(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(UNSUPPORTED)
    with pytest.raises(UnsupportedShapes) as raised:
        compile_shapes(shapes)
    assert raised.value.components == [
        "sh:inversePath",
        "sh:maxLength",
        "sh:node",
        "sh:path that is not a predicate IRI (sequence, inverse, alternative or repeated paths)",
        "sh:sparql inside sh:or or sh:qualifiedValueShape",
        "sh:targetNode",
    ]


def test_shapes_beyond_the_compiler_are_validated_by_pyshacl(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES.read_text(encoding="utf-8") + """
dkgsh:TestShortLabelShape a sh:NodeShape ; sh:targetClass dkg:Unit ; sh:property dkgsh:TestShortLabel-label .
dkgsh:TestShortLabel-label sh:path rdfs:label ; sh:maxLength 3 ; sh:message "has a label longer than 3 characters" .
""")
    ntriples = as_ntriples(SHAPE_FIXTURES / "unit.ttl")
    said = []
    results = shape_results(engine.write_store(None, ntriples, ONTOLOGY), ntriples, ONTOLOGY, shapes, said.append)
    assert said == [f"{shapes} uses sh:maxLength, which the SPARQL translation of the shapes does not cover; "
                    "validating with pySHACL instead"]
    assert results == shacl_results(ntriples, ONTOLOGY, shapes)
    assert [r.message for r in results] == [
        "has a label longer than 3 characters",
        "must have exactly one UCUM code (dkg:ucumCode), a plain string of printable ASCII without spaces; set ucum "
        "to the case-sensitive UCUM code, e.g. mL/min or [IU]/dL",
    ]


def test_docstring_examples():
    result = doctest.testmod(drugkg.shacl, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
