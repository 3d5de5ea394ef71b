"""The test oracle of rule 7 finds what it must, so the tests that lean on it can fail."""

from tests.anonymity.oracle import isolated_sets, safe_for_every_reader


def test_region_minus_partnership_isolates_the_one_outside():
    region, partnership = {1, 2, 3, 4}, {2, 3, 4}

    assert frozenset({1}) in isolated_sets([region, partnership])


def test_a_group_of_three_isolates_the_other_two_for_a_reader_inside_it():
    assert isolated_sets([{1, 2, 3}], reader=1) == [frozenset({2, 3})]
    assert isolated_sets([{1, 2, 3}]) == []
    assert not safe_for_every_reader([{1, 2, 3}])


def test_four_organisations_in_one_group_are_safe_for_every_reader():
    assert safe_for_every_reader([{1, 2, 3, 4}])
    assert safe_for_every_reader([{1, 2, 3, 4}, {5, 6, 7, 8}, {1, 2, 3, 4, 5, 6, 7, 8}])


def test_a_republished_group_isolates_the_organisations_that_joined():
    assert frozenset({5}) in isolated_sets([{1, 2, 3, 4}, {1, 2, 3, 4, 5}])
