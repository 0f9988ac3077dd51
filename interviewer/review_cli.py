"""Argument parsers and command functions for reviewing attempts (review, history, report,
reanalyze). Kept apart from cli.py so that file stays small; argparse only at import time."""

from __future__ import annotations

import argparse
from collections.abc import Callable

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    return None
