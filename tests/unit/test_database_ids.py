"""Ids in URLs match a route only when a database INTEGER column could hold them."""

import random
import re

from rounds import numbers_up_to
from rounds.forms import LARGEST_ID


def test_numbers_up_to_the_largest_id_match_and_larger_ones_do_not():
    pattern = re.compile(numbers_up_to(LARGEST_ID))
    rng = random.Random(7)
    samples = [
        0,
        1,
        9,
        10,
        LARGEST_ID - 1,
        LARGEST_ID,
        *(rng.randint(0, 10**11) for _ in range(5000)),
    ]
    for number in samples:
        assert bool(pattern.fullmatch(str(number))) == (number <= LARGEST_ID), number
    assert pattern.fullmatch("007")  # leading zeros, as Werkzeug's int allows
    assert not pattern.fullmatch("-1") and not pattern.fullmatch("1e3")
