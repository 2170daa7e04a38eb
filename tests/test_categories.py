"""Object categories: lookup by name or keyword, suggestions from names, sane ranges."""

from __future__ import annotations

import pytest

from assetlint import categories


def test_every_category_has_a_sourced_range_around_its_typical_size():
    for c in categories.CATEGORIES:
        assert 0 < c.min_size < c.typical < c.max_size, c.name
        assert len(c.source) > 40 and c.keywords, c.name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("chair", "chair"),
        ("Chair", "chair"),
        ("fox", "small animal"),
        ("small-animal", "small animal"),
        ("jewelry", "jewellery"),
        ("human", "character"),
    ],
)
def test_lookup_by_name_or_keyword(text, name):
    assert categories.lookup(text).name == name


def test_unknown_category_lists_the_known_ones():
    with pytest.raises(ValueError, match="category 'spaceship' is not known; one of: character"):
        categories.lookup("spaceship")


@pytest.mark.parametrize(
    ("names", "suggested"),
    [
        (["swordmesh"], ("sword", "sword")),  # a long keyword may start a word
        (["Fox_Armature.001"], ("small animal", "fox")),
        (["CesiumMan"], ("character", "man")),  # camelCase splits
        (["chairs"], ("chair", "chair")),  # plurals
        (["carpet", "cartoon", "scarf"], None),  # a short keyword must stand alone
        (["fishanim"], None),
        (["mesh", "geometry_0", "world"], None),
    ],
)
def test_suggestions_from_names(names, suggested):
    found = categories.suggest(names)
    assert (None if found is None else (found[0].name, found[1])) == suggested
