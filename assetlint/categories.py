"""Object categories and the real sizes of what they depict, for ``--category``.

A generator's output carries no real size (rule S006), so the user states one: a length with
``--size``, or a category here with ``--category chair``. With a category, S001 judges the
asset's size (its largest bounding-box dimension, as everywhere in the S rules) against the
category's range, and ``fix`` scales it to the category's typical size.

Each range is the largest dimension of the whole object in metres, taken from the source
beside it; where a source gives one dimension (a chair's seat height, a horse's height at
the withers) the range adds what the rest of the object needs, and says so. The ranges are
deliberately wide: they catch a chair 8 m tall or 4 mm tall, not a large chair.

A category may also be *suggested* from the names in a file (file, node, mesh and material
names: "chair", "Fox_Armature"): S006 names the suggestion in its message, and nothing is
judged against it unless the user selects it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    min_size: float  # metres, largest dimension
    max_size: float
    typical: float  # what `fix --category` scales to
    keywords: tuple[str, ...]  # words in names that suggest the category
    source: str

    def describe(self) -> str:
        """'the chair range (70 cm to 1.2 m)' (sizes as the S rules write them)."""
        from assetlint.rules.scale import format_length

        return (
            f"the {self.name} range ({format_length(self.min_size)} to "
            f"{format_length(self.max_size)})"
        )


# ANSUR II: Gordon et al., "2012 Anthropometric Survey of U.S. Army Personnel: Methods and
# Summary Statistics", NATICK/TR-15/007 (2014).
_ANSUR = "ANSUR II (Gordon et al. 2014, NATICK/TR-15/007)"

CATEGORIES: tuple[Category, ...] = (
    Category(
        "character",
        1.45,
        2.1,
        1.75,
        (
            "human",
            "person",
            "man",
            "woman",
            "boy",
            "girl",
            "people",
            "humanoid",
            "soldier",
            "knight",
        ),
        f"adult stature, 5th percentile women about 1.52 m to 95th percentile men about "
        f"1.87 m ({_ANSUR}); widened for shoes, hair and a T-pose's arm span. Children and "
        "stylized (chibi) figures are smaller: state their size with --size",
    ),
    Category(
        "chair",
        0.7,
        1.2,
        0.9,
        ("chair", "armchair", "stool", "seat"),
        "seat height 15 to 19.9 in (38-51 cm) and a backrest at least 12.2 in (31 cm) above "
        "the seat (BIFMA G1-2013, as summarized in Smallman & Miller, 'Office Chairs: An "
        "Overview of Ergonomic Standards', 2013); armchairs and high backs reach about 1.2 m",
    ),
    Category(
        "table",
        0.6,
        3.0,
        1.5,
        ("table", "desk"),
        "dining tables 28-30 in (71-76 cm) high (The Spruce, 'Standard Dining Table Height "
        "Measurements'); office desks 120-140 x 80 cm, 720-740 mm high (Ireland HSA 2007 "
        "regulations, via homeofficeergo.ie); long dining tables seat 8-10 at up to about 3 m",
    ),
    Category(
        "sofa",
        1.2,
        2.6,
        2.1,
        ("sofa", "couch", "settee"),
        "two-seaters 1.2-1.8 m, three-seaters 1.8-2.3 m, four-seaters 2.3-2.6 m long "
        "(daaofurnituredesign.com, 'What are the dimensions of the sofa?'); three-seaters "
        "78-90 in, 198-220 cm (insidersguidetofurniture.com)",
    ),
    Category(
        "furniture",
        0.4,
        2.6,
        1.0,
        (
            "furniture",
            "cabinet",
            "shelf",
            "bookshelf",
            "bookcase",
            "wardrobe",
            "dresser",
            "bed",
            "bench",
            "nightstand",
        ),
        "other furniture spans a stool's seat height, 38-51 cm (BIFMA G1-2013, as for "
        "chairs), to a four-seat sofa's 2.6 m (daaofurnituredesign.com, as for sofas); "
        "choose chair, table or sofa when it is one",
    ),
    Category(
        "door",
        1.9,
        2.5,
        2.03,
        ("door", "doorway", "gate"),
        "passage doors at least 80 in (2032 mm) high by residential code in the US, 1981 mm "
        "in England, 2040 mm in Scotland and Australia (yoforia.com; engineerfix.com, 'What "
        "Is the Height of a Standard Interior Door?'); taller doors reach 96 in (2.44 m)",
    ),
    Category(
        "car",
        2.5,
        6.0,
        4.4,
        ("car", "automobile", "sedan", "suv", "hatchback", "jeep", "taxi", "van", "vehicle"),
        "European car segments from micro cars under 3500 mm to luxury cars over 5400 mm "
        "long (teoalida.com, 'Car classification'); HLDI small cars under 180 in (457 cm), "
        "large over 195 in (495 cm) (Wikipedia, 'Car classification')",
    ),
    Category(
        "bicycle",
        1.4,
        2.0,
        1.75,
        ("bicycle", "bike", "cycle", "bmx"),
        "overall length 55-72 in (140-183 cm), BMX shortest (wheelyap.com, 'Bicycle "
        "dimensions'); road and mountain bikes 165-198 cm (ebikedelight.com)",
    ),
    Category(
        "guitar",
        0.85,
        1.1,
        1.0,
        ("guitar", "ukulele"),
        "full-size acoustic guitars 38-42 in (96.5-107 cm) long (guitarplayers.net, 'How "
        "Big Is a Full Size Acoustic Guitar?'); travel and 3/4 guitars are shorter",
    ),
    Category(
        "sword",
        0.6,
        1.5,
        1.0,
        ("sword", "longsword", "katana", "sabre", "saber", "rapier", "claymore", "scimitar"),
        "European longswords 110-150 cm including the hilt, most about 122 cm "
        "(medievalware.com, 'How long is a longsword?'); one-handed swords down to about "
        "60 cm",
    ),
    Category(
        "handheld",
        0.05,
        0.5,
        0.2,
        (
            "dagger",
            "knife",
            "tool",
            "hammer",
            "wrench",
            "phone",
            "smartphone",
            "mug",
            "cup",
            "bottle",
            "remote",
            "flashlight",
            "pistol",
            "wand",
            "vase",
            "laptop",
        ),
        f"objects held in one hand are about a hand long: hand length 5th percentile women "
        f"about 16 cm to 95th percentile men about 21 cm ({_ANSUR}); a laptop or a long "
        "knife reaches about 0.5 m",
    ),
    Category(
        "helmet",
        0.22,
        0.4,
        0.3,
        ("helmet", "hat", "mask", "headgear"),
        f"head length about 18-21 cm and breadth 14-16 cm ({_ANSUR}), plus the shell and "
        "padding, a few centimetres on each side",
    ),
    Category(
        "jewellery",
        0.01,
        0.1,
        0.025,
        ("ring", "earring", "pendant", "jewellery", "jewelry", "bracelet", "brooch", "amulet"),
        "ring sizes 41-76 mm inside circumference, 13-24 mm inside diameter (ISO 8653:2016, "
        "'Jewellery - Ring-sizes'); bracelets span a wrist, pendants a few centimetres",
    ),
    Category(
        "food",
        0.02,
        0.4,
        0.15,
        (
            "food",
            "fruit",
            "banana",
            "apple",
            "pear",
            "lemon",
            "bread",
            "cake",
            "burger",
            "pizza",
            "sandwich",
            "donut",
            "doughnut",
            "cookie",
            "vegetable",
            "carrot",
        ),
        "export Cavendish bananas 16-25 cm long, at least 14 cm (t57.io, 'Bananas Cavendish "
        "G9' specification); small fruit from about 2 cm; a whole cake or pizza about 40 cm",
    ),
    Category(
        "small animal",
        0.2,
        1.5,
        0.9,
        (
            "fox",
            "cat",
            "dog",
            "puppy",
            "kitten",
            "rabbit",
            "bunny",
            "squirrel",
            "raccoon",
            "penguin",
        ),
        "red foxes 90-105 cm long including a 38 cm tail, about 40 cm at the shoulder "
        "(Britannica, 'red fox'); head and body 50-90 cm plus a 30-50 cm tail "
        "(Kozani Natural History Museum, Vulpes vulpes)",
    ),
    Category(
        "large animal",
        1.5,
        3.5,
        2.4,
        ("horse", "pony", "cow", "bull", "deer", "elk", "moose", "camel", "donkey"),
        "light riding horses 142-163 cm at the withers, draft horses up to 183 cm "
        "(Wikipedia, 'Horse'); the head, neck and body make a horse about 2.4 m long",
    ),
    Category(
        "building",
        5.0,
        40.0,
        10.0,
        ("house", "building", "cabin", "hut", "cottage", "shed", "barn", "bunker", "tower"),
        "a storey is about 10 ft (3 m) floor to floor and a two-storey house 16-30 ft "
        "(5-9 m) high (first-law-comic.com, 'How tall is a two and a half story house?'); "
        "footprints of houses are larger than their height",
    ),
)

_BY_NAME = {c.name: c for c in CATEGORIES}


def names() -> list[str]:
    return [c.name for c in CATEGORIES]


def lookup(text: str) -> Category:
    """The category called ``text`` (or one of its keywords: 'fox' is a small animal);
    ValueError listing the categories otherwise."""
    key = text.strip().lower().replace("-", " ").replace("_", " ")
    if key in _BY_NAME:
        return _BY_NAME[key]
    for category in CATEGORIES:
        if key in category.keywords:
            return category
    raise ValueError(
        f"category {text!r} is not known; one of: "
        + ", ".join(names())
        + " (or state the size with --size)"
    )


_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    """'Fox_Armature.001' -> ['fox', 'armature']; 'swordMesh' -> ['sword', 'mesh']."""
    return [w.lower() for w in _WORD.findall(name)]


# every keyword, its plurals, and the keywords long enough to match as a word's start
_FORMS = frozenset(f"{k}{end}" for c in CATEGORIES for k in c.keywords for end in ("", "s", "es"))
_LONG_KEYS = tuple(k for c in CATEGORIES for k in c.keywords if len(k) >= 5)


def suggest(names_in_file: Iterable[str]) -> tuple[Category, str] | None:
    """The category the names suggest and the word that suggested it, or None. A word
    suggests a category when it is one of its keywords, its plural, or starts with a
    keyword of five letters or more ("fishanim" does not; "swordmesh" does): short
    keywords ("car", "cat") must stand alone, or "carpet" would be a car."""
    # each distinct word once, in order of appearance, and only a word that can match is
    # tested keyword by keyword: a scene of 200,000 nodes took 10 s otherwise
    words = dict.fromkeys(word for name in names_in_file for word in _words(name))
    for word in words:
        if word not in _FORMS and not word.startswith(_LONG_KEYS):
            continue
        for category in CATEGORIES:
            for key in category.keywords:
                if word in (key, key + "s", key + "es") or (len(key) >= 5 and word.startswith(key)):
                    return category, key
    return None
