"""views.clock: the one time format people read."""

import pytest

from interviewer.views.clock import clock


@pytest.mark.parametrize(
    ("seconds", "whole", "tenths"),
    [
        (0, "0:00", "0:00.0"),
        (59.4, "0:59", "0:59.4"),
        (15.7, "0:15", "0:15.7"),  # whole seconds cut, as review always showed them
        (59.96, "0:59", "1:00.0"),  # tenths rounded before splitting: never 0:60.0
        (61.25, "1:01", "1:01.2"),
        (3599.6, "59:59", "59:59.6"),
        (3725, "1:02:05", "1:02:05.0"),
        (-3, "0:00", "0:00.0"),
    ],
)
def test_clock(seconds: float, whole: str, tenths: str) -> None:
    assert clock(seconds) == whole
    assert clock(seconds, tenths=True) == tenths
