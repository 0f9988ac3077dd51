"""The one user-facing error type, and the exit codes the CLI maps it to."""

from __future__ import annotations

EXIT_ERROR = 1  # bad input: a file, a value, a device
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_INTERRUPTED = 130


class InterviewerError(Exception):
    """A problem the user can fix: shown as one line, `Error: <what> — <what to do>`."""

    def __init__(self, what: str, hint: str = "", exit_code: int = EXIT_ERROR) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.what} — {self.hint}" if self.hint else self.what
