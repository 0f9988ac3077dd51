"""interviewer: a local, voice-driven mock interviewer for STAR answers."""

import os as _os

# Nothing may leave the machine. onnxruntime (loaded by faster-whisper for its VAD) otherwise
# writes a device id and an event store under ~/.cache/Microsoft/DeveloperTools, a session
# file in the temp folder, and resolved mobile.events.data.microsoft.com in 6 of 13 runs.
# It reads this variable once, when it loads, so it must be set here, before any entry point
# (the CLI, `python -m interviewer`, `import interviewer.adapters.transcribe`) can import it;
# calling onnxruntime.disable_telemetry_events() after import is too late. Set, not setdefault:
# with "0" or "" (measured, onnxruntime 1.32) the store is written again.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# huggingface_hub only reports on downloads the user asked for (--model NAME); still, no.
_os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
