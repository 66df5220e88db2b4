"""Safe parameters: values become one typed RDF term each, bound by VALUES, never pasted into the query text."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from drugkg.errors import UsageError
from drugkg.queries import _TOKEN_PATTERN, Parameter, _tokens, parse_assignments, parse_query

QUERY = """#+ summary: Which resources have a given type and label?
#+ defaults:
#+   - cls: https://w3id.org/drugkg/ontology#Gene
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s WHERE {
  ?s a ?_cls_iri ; rdfs:label ?label .
  OPTIONAL { ?s rdfs:comment ?__note }
  FILTER(!BOUND(?_text_en) || ?label = ?_text_en)
}
"""


@pytest.fixture()
def store():
    s = ox.Store()
    gene, label = ox.NamedNode("https://example.org/f9"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    s.add(ox.Quad(gene, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode("https://w3id.org/drugkg/ontology#Gene")))
    s.add(ox.Quad(gene, label, ox.Literal('F9 "quoted"', language="en")))
    return s


def rows(store: ox.Store, text: str) -> list[str]:
    return sorted(str(r["s"]) for r in store.query(text))


@pytest.mark.parametrize(
    ("variable", "name", "required", "kind", "datatype", "language"),
    [
        ("_drug_iri", "drug", True, "iri", None, None),
        ("__frequency_band_iri", "frequency_band", False, "iri", None, None),
        ("_count_integer", "count", True, "typed", "http://www.w3.org/2001/XMLSchema#integer", None),
        ("_day_xsd_date", "day", True, "typed", "http://www.w3.org/2001/XMLSchema#date", None),
        ("_label_en", "label", True, "lang", None, "en"),
        ("__name", "name", False, "plain", None, None),
    ],
)
def test_parameter_names_follow_grlc(variable, name, required, kind, datatype, language):
    assert Parameter.from_variable(variable) == Parameter(variable, name, required, kind, datatype, language)


def test_parameters_are_read_from_variables_not_strings_or_comments():
    query = parse_query("q", '# ?_ignored\nSELECT ?s WHERE { ?s ?p "?_not_a_param" ; <http://x/?_no> ?_yes_iri }')
    assert [p.variable for p in query.parameters] == ["_yes_iri"]


# The tokenizer's name classes, as SPARQL's grammar spells them and as drugkg.queries writes them (their complements,
# which Python's re compiles in a fraction of the time): a variable's name, the first character of a prefix, the rest
# of a prefix, a local name.
NAME_CLASSES = [
    (r"[A-Za-z0-9_\u00B7-\uFFFF]", r"[^\x00-/:-@\[-^`{-\u00B6\U00010000-\U0010FFFF]"),
    (r"[A-Za-z_\u00C0-\uFFFF]", r"[^\x00-@\[-^`{-\u00BF\U00010000-\U0010FFFF]"),
    (r"[A-Za-z0-9_\-.\u00B7-\uFFFF]", r"[^\x00-,/:-@\[-^`{-\u00B6\U00010000-\U0010FFFF]"),
    (r"[A-Za-z0-9_\-.:\u00B7-\uFFFF]", r"[^\x00-,/;-@\[-^`{-\u00B6\U00010000-\U0010FFFF]"),
]


@pytest.mark.parametrize(("plain", "written"), NAME_CLASSES)
def test_the_tokenizer_name_classes_hold_exactly_the_characters_of_the_grammar(plain, written):
    every_character = "".join(map(chr, range(0x110000)))
    assert written in _TOKEN_PATTERN
    assert "".join(re.findall(written, every_character)) == "".join(re.findall(plain, every_character))


def test_tokens_cover_the_text_and_a_run_of_white_space_is_one_token():
    text = "SELECT ?s\n  WHERE {\t?s ?p 1 FILTER(?s<(1)) }  # {\r\n"
    tokens = list(_tokens(text))
    assert "".join(token for _, token, _ in tokens) == text
    assert [end for _, _, end in tokens] == [len("".join(t for _, t, _ in tokens[: i + 1])) for i in range(len(tokens))]
    assert [token for kind, token, _ in tokens if kind == "other" and token.isspace()] == \
        [" ", "\n  ", " ", "\t", " ", " ", " ", " ", "  ", "\r\n"]
    assert [token for _, token, _ in tokens if token.strip()] == \
        ["SELECT", "?s", "WHERE", "{", "?s", "?p", "1", "FILTER", "(", "?s", "<", "(", "1", ")", ")", "}", "# {"]


def test_values_block_goes_into_the_where_group_not_the_construct_template():
    query = parse_query("q", "CONSTRUCT { ?s ?p ?_o_iri } WHERE { ?s ?p ?_o_iri }")
    bound = query.bind({"o": "https://example.org/x"})
    assert bound == ("CONSTRUCT { ?s ?p ?_o_iri } WHERE {\nVALUES (?_o_iri) { (<https://example.org/x>) }\n ?s ?p ?_o_iri }")


def test_defaults_fill_missing_parameters_and_optional_ones_stay_unbound():
    query = parse_query("q", QUERY)
    with pytest.raises(UsageError) as err:  # ?_text_en is required and has no default
        query.bind({})
    assert str(err.value) == "query q needs parameter text (text@en); pass --param text=VALUE"
    bound = query.bind({"text": "F9"})
    assert 'VALUES (?_cls_iri ?__note ?_text_en) { (<https://w3id.org/drugkg/ontology#Gene> UNDEF "F9"@en) }' in bound


def test_bound_values_are_typed_terms_and_answers_follow_them(store):
    query = parse_query("q", QUERY)
    text = query.bind({"text": 'F9 "quoted"'})
    assert 'VALUES (?_cls_iri ?__note ?_text_en) { (<https://w3id.org/drugkg/ontology#Gene> UNDEF "F9 \\"quoted\\""@en) }' in text
    assert rows(store, text) == ["<https://example.org/f9>"]
    assert rows(store, query.bind({"text": "F9"})) == []
    assert rows(store, query.bind({"text": 'F9 "quoted"', "cls": "dkg:Drug"})) == []
    prepareQuery(text)  # the bound text is still valid SPARQL for a second, independent parser


@pytest.mark.parametrize(
    ("query", "value", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?_o_iri }", "https://x.org/a> } ; DROP ALL ; #",
         "parameter o expects an IRI, but 'https://x.org/a> } ; DROP ALL ; #' is not one"),
        ("SELECT * WHERE { ?s ?p ?_o_iri }", "no-scheme", "parameter o expects an IRI, but 'no-scheme' is not one"),
        ("SELECT * WHERE { ?s ?p ?_o_iri }", "MONDO:12", "parameter o: 'MONDO:12' is not a well-formed MONDO identifier"),
        ("SELECT * WHERE { ?s ?p ?_o_integer }", "1) } } DELETE WHERE { ?s ?p ?o } #",
         "parameter o expects an xsd:integer such as 42, got"),
        ("SELECT * WHERE { ?s ?p ?_o_date }", "2022-13-01", "parameter o expects an xsd:date such as 2022-11-22"),
        ("SELECT * WHERE { ?s ?p ?_o_boolean }", "yes", "parameter o expects an xsd:boolean such as true"),
        ("SELECT * WHERE { ?s ?p ?_o }", 'x\\u0022 } DROP ALL #', "parameter o: backslashes and control characters are not allowed"),
        ("SELECT * WHERE { ?s ?p ?_o }", "two\nlines", "parameter o: backslashes and control characters are not allowed"),
    ],
)
def test_a_value_that_tries_to_break_out_of_its_slot_is_an_error(query, value, message):
    with pytest.raises(UsageError) as err:
        parse_query("q", query).bind({"o": value})
    assert str(err.value).startswith(message)


def test_a_string_value_with_sparql_syntax_stays_one_literal(store):
    value = '" } } ; DROP ALL ; SELECT * WHERE { ?a ?b "'
    store.add(ox.Quad(ox.NamedNode("https://example.org/odd"), ox.NamedNode("https://example.org/p"), ox.Literal(value)))
    text = parse_query("q", "SELECT ?s WHERE { ?s ?p ?_o }").bind({"o": value})
    assert rows(store, text) == ["<https://example.org/odd>"]  # matched as exactly that one literal
    prepareQuery(text)


def test_curies_with_known_prefixes_expand():
    text = parse_query("q", "SELECT * WHERE { ?s ?p ?_o_iri }").bind({"o": "MONDO:0010604"})
    assert "(<http://purl.obolibrary.org/obo/MONDO_0010604>)" in text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nope": "1"}, "query q has no parameter nope (its parameters: o)"),
        ({"o": ""}, "query q needs parameter o (IRI); pass --param o=VALUE"),
    ],
)
def test_unknown_and_missing_parameters(values, message):
    with pytest.raises(UsageError) as err:
        parse_query("q", "SELECT * WHERE { ?s ?p ?_o_iri }").bind(values)
    assert str(err.value) == message


def test_parameters_need_an_explicit_where():
    with pytest.raises(UsageError, match=r"needs an explicit WHERE"):
        parse_query("q", "SELECT * { ?s ?p ?_o_iri }").bind({"o": "https://x.org/a"})


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["drug"], "--param 'drug' must be written NAME=VALUE"),
        (["=x"], "--param '=x' must be written NAME=VALUE"),
        (["a=1", "a=2"], "--param a is given twice; give each once"),
    ],
)
def test_param_assignments_are_checked(items, message):
    with pytest.raises(UsageError) as err:
        parse_assignments(items)
    assert str(err.value).startswith(message)


def test_values_may_contain_equals_signs():
    assert parse_assignments(["q=a=b"]) == {"q": "a=b"}
