"""Terminal front end: parse arguments, call the session, print, map errors to exit codes.

Heavy libraries (faster-whisper, sounddevice, pyttsx3) are imported inside the commands
so that `interviewer --help` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from interviewer import __version__, review_cli
from interviewer.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, InterviewerError

if TYPE_CHECKING:  # only for annotations: --help must not import them
    from interviewer.adapters.bank import Bank
    from interviewer.adapters.transcribe import Transcriber
    from interviewer.core.coaching import CoachSettings
    from interviewer.session import Speaks

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cat big | head -1`


class Parser(argparse.ArgumentParser):
    """argparse with our one-line errors: `Error: <what> — <what to do>`, exit 2 (usage)."""

    def error(self, message: str) -> NoReturn:
        raise InterviewerError(
            message.removeprefix("argument "), f"see '{self.prog} --help'", EXIT_USAGE
        )


def bounded(low: float, high: float, unit: str, integer: bool = False) -> Callable[[str], Any]:
    """An argparse type: a finite number in [low, high]; the error names the allowed range."""

    def parse(text: str) -> float | int:
        try:
            value: float | int = int(text) if integer else float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(
                f"{text!r} is not allowed: give {low:g} to {high:g} {unit}"
            )
        return value

    return parse


# Limits of the numeric options. espeak-ng clamps its rate to 80-450 wpm
# (espeakRATE_MINIMUM/MAXIMUM in speak_lib.h); the others are wide but finite.
COUNT = bounded(1, 10_000, "questions", integer=True)
RATE_WPM = bounded(80, 450, "words per minute", integer=True)
THINK_S = bounded(0, 600, "seconds")
END_SILENCE_S = bounded(1, 60, "seconds")
MAX_ANSWER_S = bounded(5, 3600, "seconds")
MIC_CHECK_S = bounded(1, 60, "seconds")


def _model_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="M",
        help="faster-whisper model name (base.en, small.en ...) or a local model "
        "folder (default: the embedded tiny.en)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="interviewer",
        description="Rehearse STAR answers out loud: the question is read to you, your answer "
        "is recorded, transcribed locally and timed section by section.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("practice", help="practise questions out loud (or from a recorded answer)")
    p.add_argument(
        "--question",
        "-q",
        action="append",
        metavar="ID",
        help="question id (repeatable); see 'interviewer questions'",
    )
    p.add_argument(
        "--answer-audio",
        type=Path,
        metavar="FILE",
        help="use this recording as the answer instead of the microphone",
    )
    p.add_argument("--no-speak", action="store_true", help="print the question, don't say it")
    p.add_argument(
        "--json",
        action="store_true",
        help="print each saved attempt record on stdout, one JSON document per line",
    )
    p.add_argument("--voice", help="text-to-speech voice (see 'interviewer voices')")
    p.add_argument(
        "--rate", type=RATE_WPM, metavar="WPM", help="speaking rate of the question (80-450)"
    )
    _live_args(p)
    review_cli.bank_arg(p)
    _model_arg(p)

    p = sub.add_parser("transcribe", help="print the timed transcript of an audio file")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    _model_arg(p)

    p = sub.add_parser("questions", help="list the question bank")
    p.add_argument("--json", action="store_true")
    review_cli.colour_arg(p)
    review_cli.bank_arg(p)

    p = sub.add_parser("import", help="build bank files from a notes document like the seed")
    p.add_argument("file", type=Path)
    p.add_argument("--force", action="store_true", help="overwrite stories that differ")
    review_cli.bank_arg(p)

    p = sub.add_parser("devices", help="list audio input and output devices")
    p = sub.add_parser("voices", help="list the text-to-speech voices (for --voice)")
    p = sub.add_parser("mic-check", help="record 3 s, show the level, play it back")
    p.add_argument("--input-device", metavar="NAME|INDEX")
    p.add_argument("--output-device", metavar="NAME|INDEX")
    p.add_argument(
        "--seconds", type=MIC_CHECK_S, default=3.0, help="how long to record (1-60, default 3)"
    )
    review_cli.add_parsers(sub)
    return parser


def _live_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("live session")
    g.add_argument("--shuffle", action="store_true", help="random order instead of bank order")
    g.add_argument("--count", type=COUNT, metavar="N", help="ask N questions (at least 1)")
    g.add_argument(
        "--focus",
        choices=("new", "weak"),
        help="never-practised questions first, or the weakest previous attempts first",
    )
    g.add_argument(
        "--think",
        type=THINK_S,
        default=0.0,
        metavar="SECONDS",
        help="silent thinking time before recording starts (0-600)",
    )
    g.add_argument(
        "--end-silence",
        type=END_SILENCE_S,
        default=3.0,
        metavar="SECONDS",
        help="silence after speech that ends the answer (1-60, default 3)",
    )
    g.add_argument(
        "--max-answer",
        type=MAX_ANSWER_S,
        default=180.0,
        metavar="SECONDS",
        help="longest answer (5-3600, default 180; more than --end-silence)",
    )
    g.add_argument(
        "--no-follow-ups", action="store_true", help="don't ask about a missing Result or Learning"
    )
    g.add_argument("--input-device", metavar="NAME|INDEX")
    g.add_argument("--output-device", metavar="NAME|INDEX")


# --- commands -----------------------------------------------------------------------------


def _transcriber(model: str | None) -> Transcriber:
    from interviewer.adapters.transcribe import transcriber_for

    return transcriber_for(model)


def cmd_questions(args: argparse.Namespace) -> int:
    from interviewer.adapters.bank import load_bank
    from interviewer.views import review

    bank = load_bank(args.bank)
    found = review.summaries(bank.root)  # unfinished takes included; damaged records warned about
    for line in found.skipped:
        print(f"Warning: skipped {line}", file=sys.stderr)
    rows = [
        {
            "id": q.id,
            "principle": q.principle,
            "question": q.text,
            "has_story": q.has_story,
            "story_file": str(q.path),
            "attempts": sum(s["question_id"] == q.id for s in found.items),
            "unfinished": [
                s["path"] for s in found.items if s["question_id"] == q.id and s.get("unfinished")
            ],
        }
        for q in bank.questions
    ]
    for s in found.items:
        if s.get("unfinished"):
            print(review.unfinished_line(s), file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    style = review.style_for(sys.stdout, args.color)
    print(review.questions_text(rows, style))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from interviewer.adapters.bank import default_bank_dir
    from interviewer.adapters.importer import import_notes

    root = args.bank or default_bank_dir()
    report = import_notes(args.file, root, force=args.force)
    for path in report.written:
        print(f"wrote     {path}")
    for path in report.kept:
        print(f"kept      {path} (differs from the document; --force replaces it)")
    print(
        f"{len(report.written)} written, {len(report.unchanged)} unchanged, {len(report.kept)} kept"
    )
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from interviewer.adapters.audio_files import AudioStream
    from interviewer.views.progress import TranscribeProgress

    # Decoded and transcribed piece by piece: memory does not grow with the file's length.
    with AudioStream(args.file) as stream, TranscribeProgress(Path(args.file).name) as bar:
        transcript = _transcriber(args.model).transcribe_blocks(
            stream, stream.estimated_s, progress=bar
        )
    from interviewer.views import summary

    if args.json:
        print(json.dumps(summary.transcript_json(transcript, str(args.file)), indent=2))
    elif transcript.no_speech:
        print(f"{args.file}: no speech detected ({transcript.duration_s:.1f} s)")
    else:
        print("\n".join(summary.timed_lines(transcript.words)))
    return 0


def _speaker(args: argparse.Namespace) -> Speaks:
    """The question is always shown; it is also spoken unless --no-speak."""
    from interviewer.adapters import speech

    if not args.no_speak:
        speech.check_voice(args.voice)  # an unknown voice is a usage error
    return speech.default_speaker(
        voice=args.voice,
        rate_wpm=args.rate,
        output_device=args.output_device,
        speak=not args.no_speak,
    )


def cmd_practice(args: argparse.Namespace) -> int:
    from interviewer.adapters.bank import load_bank, load_coach_settings
    from interviewer.reanalyze import finish_unfinished  # takes an earlier run left

    bank = load_bank(args.bank)
    coach = load_coach_settings(bank.root)
    if args.answer_audio is None:
        return _practice_live(args, bank, coach)
    if not args.question or len(args.question) != 1:
        raise InterviewerError(
            "--answer-audio needs exactly one --question ID",
            "name the question the recording answers",
        )
    from interviewer.core.records import Attempt
    from interviewer.session import practice_from_file
    from interviewer.views import summary

    question = bank.find(args.question[0])
    transcriber = _transcriber(args.model)
    transcriber.load()  # a bad --model fails here, before a take is begun
    finish_unfinished(bank, transcriber, lambda line: print(line, file=sys.stderr))
    if not args.json:
        print(f"Question ({question.id}): {question.text}", file=sys.stderr)
    saved = practice_from_file(question, args.answer_audio, transcriber, _speaker(args), coach)
    if args.json:
        print(json.dumps(saved.record, ensure_ascii=False))  # one line, as a live session
    else:
        print(summary.summary(Attempt.from_json(saved.record)))
        print(f"\nSaved beside the story: {saved.files.markdown}")
    return 0


def _practice_live(args: argparse.Namespace, bank: Bank, coach: CoachSettings) -> int:
    from interviewer.adapters import audio_devices
    from interviewer.live import Devices, run_live
    from interviewer.reanalyze import finish_unfinished
    from interviewer.session import choose_questions
    from interviewer.settings import LiveSettings

    devices = Devices(
        audio_devices.require_device(args.input_device, "input"),
        audio_devices.find_device(args.output_device, "output"),
    )
    live = LiveSettings(
        end_silence_s=args.end_silence,
        max_answer_s=args.max_answer,
        think_s=args.think,
        follow_ups=not args.no_follow_ups,
    )
    questions = choose_questions(bank, args.question, args.shuffle, args.focus, args.count)
    transcriber = _transcriber(args.model)
    transcriber.load()
    return run_live(
        questions,
        transcriber,
        _speaker(args),
        coach,
        live,
        devices,
        json_out=sys.stdout if args.json else None,
        finish_unfinished=lambda log: finish_unfinished(bank, transcriber, log),
    )


def cmd_devices(args: argparse.Namespace) -> int:
    from interviewer.adapters import audio_devices

    devices = audio_devices.list_devices()
    if not devices:
        raise InterviewerError("no audio devices found", audio_devices.NO_DEVICES_HINT)
    print(f"{'':>3}  {'kind':<9} {'rate':>10}  name")
    for d in devices:
        kinds = []
        if d.max_input_channels:
            kinds.append("in" + ("*" if d.is_default_input else ""))
        if d.max_output_channels:
            kinds.append("out" + ("*" if d.is_default_output else ""))
        print(f"{d.index:>3}  {'/'.join(kinds):<9} {d.default_samplerate:>7.0f} Hz  {d.name}")
    print("(* = default)")
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    from interviewer.adapters import speech

    voices = speech.list_voices()
    for v in voices:
        languages = ", ".join(v.languages)
        print(f"{v.id:<28} {v.name:<28} {languages}")
    print(f"({len(voices)} voices; --voice takes an id, a name or a language such as en-us)")
    return 0


def cmd_mic_check(args: argparse.Namespace) -> int:
    from interviewer.adapters import audio_devices
    from interviewer.core.levels import QUIET_PEAK_DBFS
    from interviewer.live import Devices
    from interviewer.session import mic_check

    audio_devices.require_device(args.input_device, "input")  # no microphone: say so first
    print(f"Recording {args.seconds:g} s: say something...")
    check = mic_check(Devices(args.input_device, args.output_device), args.seconds)
    print(f"Level: peak {check.peak_dbfs:.1f} dBFS, average {check.rms_dbfs:.1f} dBFS")
    if check.silent:
        zeros = "all zeros" if check.all_zero else f"peak {check.peak_dbfs:.0f} dBFS"
        raise InterviewerError(
            f"the microphone sends nothing ({zeros})", audio_devices.SILENT_INPUT_HINT
        )
    if check.peak_dbfs < QUIET_PEAK_DBFS:
        print(f"Very quiet: {audio_devices.SILENT_INPUT_HINT}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "practice": cmd_practice,
    "transcribe": cmd_transcribe,
    "questions": cmd_questions,
    "import": cmd_import,
    "devices": cmd_devices,
    "voices": cmd_voices,
    "mic-check": cmd_mic_check,
    **review_cli.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_together(args)
    except InterviewerError as exc:  # a usage error, from Parser.error
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    if not args.command:
        parser.print_help()
        return 0
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit after main has returned
        return code
    except InterviewerError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _stdout_closed()
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
            return _unexpected(exc, args.debug)
        where = f" {exc.filename}" if exc.filename else " the output"
        print(
            f"Error: cannot write{where}: {exc.strerror} — free some space (or write the "
            "output elsewhere) and run the command again",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line unless --debug
        return _unexpected(exc, args.debug)


def _unexpected(exc: Exception, debug: bool) -> int:
    """A bug: one line unless --debug."""
    if debug:
        raise exc
    print(
        f"Error: unexpected {type(exc).__name__}: {exc} — rerun with --debug and report it",
        file=sys.stderr,
    )
    return EXIT_ERROR


def _check_together(args: argparse.Namespace) -> None:
    """Limits that involve two options (each one alone is checked by its type)."""
    if args.command == "practice" and args.end_silence >= args.max_answer:
        raise InterviewerError(
            f"--end-silence {args.end_silence:g} is not shorter than --max-answer "
            f"{args.max_answer:g}",
            "give an end silence shorter than the longest answer",
            EXIT_USAGE,
        )


def _stdout_closed() -> int:
    """The reader of our stdout went away (`| head -1`): stop quietly, as cat does.

    Python's recipe (docs: signal, "Note on SIGPIPE"): point stdout at devnull so the flush at
    interpreter exit cannot raise again; exit 141 like a process ended by SIGPIPE, so a
    pipeline under `set -o pipefail` still sees that the output was cut short."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests): nothing to flush
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE
