"""One damaged attempt record (wrong type, null, NaN, truncated, garbage) never stops a command:
every command skips it with one warning naming the file, and asking for it by name is one
error line. The good records come from the real pipeline; the damage is applied to a copy."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from interviewer.cli import main
from tests.conftest import FIXTURES, ROOT

Q01 = "01-failed-at-work"
DAMAGED_NAME = f"{Q01}.attempt-20991231-235959.json"  # sorts last: the "latest" take


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], Any]:
    def damage(record: dict[str, Any]) -> Any:
        target: Any = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return record

    return damage


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], Any]:
    def damage(record: dict[str, Any]) -> Any:
        target: Any = record
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return record

    return damage


# Each shape: a change to a real record (or raw bytes for the file).
SHAPES: dict[str, Callable[[dict[str, Any]], Any] | bytes] = {
    "a list instead of an object": lambda r: [r],
    "null instead of an object": lambda r: None,
    "sections as a string": _set(["sections"], "situation, task"),
    "a section as null": _set(["sections", 1], None),
    "a section label unknown": _set(["sections", 0, "label"], "preamble"),
    "NaN duration": _set(["duration_s"], float("nan")),
    "Infinity share": _set(["sections", 2, "share"], float("inf")),
    "spans as a string": _set(["sections", 2, "spans"], "0:12-0:30"),
    "a span without its end": _drop(["sections", 2, "spans", 0, "end_s"]),
    "a span as a pair": _set(["sections", 2, "spans", 0], [12.0, 30.0]),
    "confidence as text": _set(["sections", 2, "confidence"], "sure"),
    "a measured span as null": _set(["metrics", "sections", "action", "spans"], [None]),
    "a word without its times": _drop(["words", 3, "start_s"]),
    "a word as a string": _set(["words", 0], "hello"),
    "words as an object": _set(["words"], {"text": "hi"}),
    "metrics as a string": _set(["metrics"], "good"),
    "a check's ok as a string": _set(["metrics", "checks", 0, "ok"], "yes"),
    "a check's value as a string": _set(["metrics", "checks", 1, "value"], "lots"),
    "checks as null": _set(["metrics", "checks"], None),
    "a long pause as a number": _set(["metrics", "long_pauses"], [3]),
    "key facts with a null fact": _set(["metrics", "key_facts"], [{"fact": None, "value": "3"}]),
    "fillers as a list": _set(["metrics", "fillers"], ["um"]),
    "feedback as an object": _set(["feedback"], {"tip": "x"}),
    "follow-ups as a string": _set(["follow_ups"], "what did you learn"),
    "markers with a null time": _set(["markers"], [{"time_s": None, "label": "action"}]),
    "format_version as text": _set(["format_version"], "1"),
    "question_id as a number": _set(["question_id"], 1),
    "status as a list": _set(["status"], ["ok"]),
    "truncated JSON": b"",  # filled in from the real record below
    "an empty file": b"",
    "binary garbage": bytes(range(256)) * 4,
    "JSON of another program": b'{"name": "not a take", "version": 3}',
}


def _practise(bank: Path) -> None:
    argv = [
        "practice",
        "-q",
        Q01,
        "--answer-audio",
        str(FIXTURES / f"{Q01}.en-us.160.flac"),
        "--no-speak",
        "--bank",
        str(bank),
    ]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == 0


@pytest.fixture(scope="module")
def practised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("damaged") / "questions"
    shutil.copytree(ROOT / "questions", root, ignore=shutil.ignore_patterns("*.attempt-*"))
    _practise(root)
    return root


def _damaged_bytes(name: str, good: dict[str, Any], text: str) -> bytes:
    shape = SHAPES[name]
    if name == "truncated JSON":
        return text.encode()[: len(text) // 2]
    if isinstance(shape, bytes):
        return shape
    return json.dumps(shape(copy.deepcopy(good))).encode()  # NaN/Infinity written as JSON does


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


COMMANDS = [
    ("questions",),
    ("questions", "--json"),
    ("review",),
    ("review", "-q", "01"),
    ("history",),
    ("history", "--json"),
    ("report",),
    ("report", "-q", "01"),
    ("reanalyze",),
]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_command_skips_a_damaged_record_with_one_warning(
    shape: str, practised: Path, tmp_path: Path
) -> None:
    bank = tmp_path / "questions"
    shutil.copytree(practised, bank)
    good_path = next((bank / "ownership").glob(f"{Q01}.attempt-*.json"))
    text = good_path.read_text()
    damaged = bank / "ownership" / DAMAGED_NAME
    damaged.write_bytes(_damaged_bytes(shape, json.loads(text), text))
    for argv in COMMANDS:
        code, out, err = _run(*argv, "--bank", str(bank))
        what = f"{shape}: {' '.join(argv)}\n{err}"
        assert code == 0, what
        assert "unexpected" not in err and "Traceback" not in err, what
        warnings = [line for line in err.splitlines() if DAMAGED_NAME in line]
        assert len(warnings) == 1, what  # one warning, naming the file
        assert warnings[0].startswith("Warning: skipped"), what
        if argv[0] == "review":  # the good take is shown instead
            assert good_path.with_suffix(".flac").name in out, what
        if argv[0] == "reanalyze":
            assert "1 of 2 attempts reanalysed" in out, what
    # Asked for by name: one line that names the file, and a non-zero exit.
    code, out, err = _run("review", str(damaged), "--bank", str(bank))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ") and DAMAGED_NAME in err, err
    assert "unexpected" not in err
    # The good take is untouched and still whole.
    assert json.loads(good_path.read_text())["status"] == "ok"


def test_a_damaged_review_index_is_rebuilt(practised: Path, tmp_path: Path) -> None:
    bank = tmp_path / "questions"
    shutil.copytree(practised, bank)
    assert _run("history", "--bank", str(bank))[0] == 0  # writes the index
    index = bank / ".review-index.json"
    data = json.loads(index.read_text())
    (rel,) = data["entries"]
    key = data["entries"][rel][:2]  # matches the record: the cached summary would be used
    summary = data["entries"][rel][2]
    for bad in (
        "text",
        key,
        [*key, "summary"],
        [*key, {**summary, "path": 3}],
        [*key, {**summary, "sections": {"action": None}}],
        [*key, {**summary, "wpm": "fast"}],
    ):
        data["entries"][rel] = bad
        index.write_text(json.dumps(data))
        code, out, err = _run("history", "--json", "--bank", str(bank))
        assert code == 0 and "unexpected" not in err, (bad, err)
        assert json.loads(out)[0]["status"] == "ok"
