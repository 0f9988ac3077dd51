"""Peak memory (RSS) of a live practice session, as a user runs it, on the virtual devices.

Runs `interviewer practice -q 01-failed-at-work --no-follow-ups --no-speak` in a child process
against a private PulseAudio server (tests/audio_server.py), feeds a ~140 s spoken answer
(two fixtures back to back) into the virtual microphone, waits for the summary, and prints the
child's peak RSS (getrusage RUSAGE_CHILDREN ru_maxrss): whisper tiny.en, background
transcription, and the sentence-embedding model, all in one process.

    .venv/bin/python scripts/bench_session_rss.py     (PYTHONPATH picks the code to measure)
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_live import two_minute_answer  # noqa: E402
from tests.audio_server import VirtualAudio  # noqa: E402


def main() -> int:
    code = Path(os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        answer, _ = two_minute_answer(folder)
        bank = folder / "questions"
        shutil.copytree(code / "questions", bank)
        audio = VirtualAudio(folder / "pulse").start()
        try:
            env = {**audio.child_env(), "PYTHONPATH": str(code)}
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "interviewer",
                    "practice",
                    "--bank",
                    str(bank),
                    "-q",
                    "01-failed-at-work",
                    "--no-follow-ups",
                    "--no-speak",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            audio.wait_for_recording_stream(timeout_s=120)
            feeder = audio.feed_mic(answer)
            out, err = proc.communicate(timeout=600)
            feeder.wait(10)
        finally:
            audio.stop()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    saved = "saved" if proc.returncode == 0 and "Saved" in out + err else "NOT saved"
    print(f"code: {code}; exit {proc.returncode}, attempt {saved}")
    print(f"peak RSS of the live session: {peak:.0f} MB (target <= 450 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
