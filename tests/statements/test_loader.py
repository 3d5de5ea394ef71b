"""The statement-set and reference loaders accept the real files and refuse broken ones."""

import shutil
from pathlib import Path

import pytest
import yaml

from app.config import ROOT
from app.statements.errors import StatementFileError
from app.statements.loader import get_statement_sets, load_statement_set, load_statement_sets
from app.statements.reference import load_reference

REAL_SET = ROOT / "statements" / "sets" / "child-and-family-2019.yaml"
SHARED_CSV = ROOT.parent / "shared" / "reference" / "statements-child-and-family-2019.csv"


def write_set(folder: Path, change) -> Path:
    data = yaml.safe_load(REAL_SET.read_text())
    change(data)
    path = folder / "child-and-family-2019.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_2019_set_has_32_statements_in_four_themes_of_19_5_2_and_6():
    statement_set = load_statement_set(REAL_SET)
    assert [len(t.statements) for t in statement_set.themes] == [19, 5, 2, 6]
    assert statement_set.numbers == tuple(range(1, 33))
    assert [p.label for p in statement_set.scale] == [
        "Significant development needed",
        "Development needed",
        "Working well",
        "Strength",
        "Exceptional strength",
    ]
    assert statement_set.do_not_know == "I do not know"


def test_the_2019_set_matches_the_reference_csv_word_for_word():
    import csv

    csv_path = SHARED_CSV if SHARED_CSV.exists() else None
    if csv_path is None:
        pytest.skip("shared/reference is not beside this checkout")
    rows = list(csv.DictReader(csv_path.open()))
    statement_set = load_statement_set(REAL_SET)
    assert [(int(r["number"]), int(r["theme"]), r["text"]) for r in rows] == [
        (s.number, statement_set.theme_of[s.number], s.text) for s in statement_set.statements
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["themes"][1]["statements"].append({"number": 3, "text": "Again"}), "unique"),
        (lambda d: d["scale"].pop(), "five points"),
        (lambda d: d["scale"][0].update(value=0), "five points"),
        (lambda d: d["themes"][0]["statements"][0].pop("text"), "text"),
        (lambda d: d["themes"][2].update(statements=[]), "statements"),
        (lambda d: d.update(programmes=["aliens"]), "unknown programmes"),
        (lambda d: d.update(key="another-key"), "must match the file name"),
        (lambda d: d["themes"][3]["statements"].pop(0), "without gaps"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.pop("do_not_know"), "do_not_know"),
    ],
)
def test_a_broken_set_file_is_refused_with_a_message_naming_the_file(tmp_path, change, message):
    path = write_set(tmp_path, change)
    with pytest.raises(StatementFileError) as error:
        load_statement_set(path, programmes={"adults", "child_and_family"})
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("key: [unclosed")
    with pytest.raises(StatementFileError, match="cannot read"):
        load_statement_set(path)


def test_an_empty_sets_folder_is_refused(tmp_path):
    (tmp_path / "sets").mkdir()
    with pytest.raises(StatementFileError, match="no statement set files"):
        load_statement_sets(tmp_path)


def test_the_reference_lists_hold_the_nine_regions_and_the_contract_keys():
    reference = load_reference(ROOT / "statements")
    assert len(reference.regions) == 9
    assert reference.keys("respondent_types") == [
        "self_assessment",
        "nqsw",
        "line_manager",
        "other",
    ]
    assert set(reference.keys("programmes")) == {"adults", "child_and_family"}
    assert "pvi" in reference.keys("employer_types")


def test_a_reference_list_with_a_repeated_key_is_refused(tmp_path):
    shutil.copytree(ROOT / "statements" / "reference", tmp_path / "reference")
    path = tmp_path / "reference" / "regions.yaml"
    path.write_text(path.read_text() + "- {key: london, label: London again}\n")
    with pytest.raises(StatementFileError, match="repeated"):
        load_reference(tmp_path)


def test_a_reference_list_missing_a_contract_key_is_refused(tmp_path):
    shutil.copytree(ROOT / "statements" / "reference", tmp_path / "reference")
    path = tmp_path / "reference" / "respondent_types.yaml"
    path.write_text("- {key: nqsw, label: NQSW}\n")
    with pytest.raises(StatementFileError, match="missing keys"):
        load_reference(tmp_path)


def test_what_a_set_works_out_once_follows_a_copy_with_other_themes():
    """A set's statements, numbers and keys are worked out once and kept; a copy with other
    themes (model_copy(update=…), which copies what is kept) must work out its own."""
    original = get_statement_sets()["child-and-family-2019"]
    assert original.statements and original.rating_keys  # worked out and kept
    first, *rest = original.themes
    reworded = first.model_copy(update={"statements": tuple(
        s.model_copy(update={"text": s.text + " (reworded)"}) for s in first.statements[:-1])})

    copy = original.model_copy(update={"themes": (reworded, *rest)})

    assert [s.text for s in copy.statements] == [
        s.text for theme in copy.themes for s in theme.statements]
    assert len(copy.numbers) == len(copy.rating_keys) == len(original.numbers) - 1
    assert copy.statements[0].text.endswith("(reworded)")
    assert original.statements[0].text == first.statements[0].text  # the original untouched
