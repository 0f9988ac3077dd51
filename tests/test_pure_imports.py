"""Pure modules import no device, model or speech library, and --help stays light."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sounddevice", "pyttsx3", "faster_whisper", "ctranslate2", "av")


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return {m for m in out if m.split(".")[0] in HEAVY}


def test_pure_modules_pull_in_nothing_heavy():
    code = (
        "import interviewer.core.star, interviewer.core.metrics, interviewer.core.endpoint, "
        "interviewer.core.feedback, interviewer.core.pauses, interviewer.core.analysis"
    )
    assert _loaded_after(code) == set()


def test_cli_help_imports_nothing_heavy():
    code = (
        "import contextlib, io\nfrom interviewer import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        cli.main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert _loaded_after(code) == set()
