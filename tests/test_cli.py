"""The command line: help with examples, exit codes, the summary, and the default output folder."""

from __future__ import annotations

import pytest

from drugkg.cli import main
from tests.conftest import DATA, ONTOLOGY


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "build" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"]])
def test_help_has_an_example(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    expected = "Example: drugkg build --out dist/" if argv[0] == "build" else "Exit codes: 0 ok, 1 invalid data, 2 usage"
    assert expected in out


def test_build_prints_summary_and_defaults_to_dist(tmp_path, monkeypatch, capsys, built_labels):
    """The default build: the curated data and the shared labels beside the checkout, into ./dist."""
    built = built_labels
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--data", str(DATA), "--ontology", str(ONTOLOGY)]) == 0
    out = capsys.readouterr().out.splitlines()
    counts = built.compiled.counts
    assert out[0] == (f"Built {counts['triples']} triples: {counts['claims']} claims, {counts['entities']} entities, "
                      f"{counts['documents']} source documents, from {len(built.compiled.files)} data files and 6 "
                      "labels.")
    assert out[1].startswith("Wrote to ") and "drugkg.ttl" in out[1] and "void.ttl" in out[1]
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == sorted([*(p.name for p in built.written), "store"])


def test_rebuild_replaces_previous_output(tmp_path, capsys):
    out = tmp_path / "dist"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    assert main(["build", "--data", str(DATA), "--ontology", str(ONTOLOGY), "--out", str(out)]) == 0
    assert not (out / "stale.txt").exists() and (out / "drugkg.ttl").is_file()
    # no temporary folder left behind: dist links to the one version folder (drugkg.publish)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist-versions", "dist"]
    assert [p.name for p in (tmp_path / ".dist-versions").iterdir()] == [out.resolve().name]


def test_reasoner_shacl_and_web_stack_stay_out_of_the_start_up_path():
    """Listing or running queries never imports owlready2 or pySHACL (they load only when validation runs), nor the
    web server's Starlette, uvicorn and Jinja2 (they load only when 'drugkg serve' runs)."""
    import subprocess
    import sys

    code = (
        "import sys; from drugkg.cli import main; main(['queries']); "
        "print(sorted(m for m in ('owlready2', 'pyshacl', 'rdflib', 'starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


def test_no_documents_skips_checking_the_documents_against_their_files(tmp_path, capsys):
    """A corpus whose documents have no files (the synthetic benchmark corpus) validates with --no-documents; with
    a documents folder that lacks them, each claim citing them is an error naming its file and line."""
    argv = ["validate", "--no-labels", "--data", str(DATA), "--ontology", str(ONTOLOGY)]
    assert main([*argv, "--documents", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "hemgenix/sources.yaml:" in err and "whose file does not exist" in err
    assert main([*argv, "--no-documents", "--coverage"]) == 0
    captured = capsys.readouterr()
    assert "Coverage: no curated document was checked (give --documents DIR)" in captured.out
    with pytest.raises(SystemExit):
        main([*argv, "--no-documents", "--documents", str(tmp_path)])
    assert "not allowed with argument" in capsys.readouterr().err
