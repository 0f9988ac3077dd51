"""Re-run the analysis (and, with a model, the transcription) over saved attempts.

After an upgrade of the STAR splitter or the metrics, or an edit of the reference story, the
saved words and audio are enough to rebuild everything else. Each attempt's JSON and Markdown
are rewritten in place, atomically, still user-only. Without a model nothing is lost: the
words are kept and everything rewritten is derived from them. Re-transcribing replaces the
words, so the record as it was first written is kept once beside it as `<record>.json.bak`.

Unfinished takes (interrupted while recording or before their record was saved, or audio left
with no record by an older version) are finished here: their audio is transcribed, analysed
and saved over the placeholder (see store.py). `practice` does the same when it starts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.adapters import store
from interviewer.adapters.bank import Bank, load_coach_settings
from interviewer.adapters.fileio import StorageError, write_text_atomic
from interviewer.core import analysis
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import Question, Transcript, Word, join_transcripts
from interviewer.core.records import Attempt
from interviewer.errors import InterviewerError
from interviewer.settings import SAMPLE_RATE_HZ
from interviewer.views import review, summary

BACKUP_SUFFIX = ".bak"


@dataclass(frozen=True)
class Clip:
    """One recording of an attempt (the answer, or a follow-up) and where it starts."""

    path: Path
    offset_s: float
    start_s: float = 0.0  # seconds of the recording before offset_s (a follow-up's wait)


def run(
    bank: Bank,
    question: Question | None,
    model: str | None,
    log: Callable[[str], Any] = print,
    warn: Callable[[str], Any] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Reanalyse every attempt (at `question`, if given); returns how many were found."""
    coach = load_coach_settings(bank.root)
    paths = store.attempts_for(question) if question else store.all_attempts(bank.root)
    transcriber = _transcriber(model) if model and paths else None
    questions = {q.id: q for q in bank.questions}
    finisher = transcriber  # unfinished takes need transcribing even without --model
    done = 0
    for path in paths:
        try:
            if store.is_unfinished(store.load_attempt(path)):
                finisher = finisher or _transcriber(model)
                log(finish_take(path, questions, coach, finisher))
            else:
                log(reanalyze_attempt(path, questions, coach, transcriber))
            done += 1
        except StorageError:
            raise  # a full or read-only disk stops every other attempt too
        except InterviewerError as exc:
            named = str(path) in str(exc)  # a damaged record's error names its file
            warn(f"Warning: skipped {exc}" if named else f"Warning: skipped {path.name}: {exc}")
    if paths:
        log(f"{done} of {len(paths)} attempts reanalysed")
    return len(paths)


def finish_unfinished(bank: Bank, transcriber: Any, log: Callable[[str], Any] = print) -> int:
    """Finish every interrupted take in the bank (none that another process is recording);
    one line each; returns how many were finished."""
    coach = load_coach_settings(bank.root)
    questions = {q.id: q for q in bank.questions}
    found = review.summaries(bank.root)  # the index: no need to read every finished record
    for line in found.skipped:
        log(f"Warning: skipped {line}")
    done = 0
    for item in found.items:
        if item.get("unfinished") != review.NOT_TRANSCRIBED:
            continue
        path = bank.root / item["path"]
        try:
            log(finish_take(path, questions, coach, transcriber))
            done += 1
        except StorageError:
            raise
        except InterviewerError as exc:
            log(f"Could not finish {path.name}: {exc}")
    return done


def finish_take(
    path: Path, questions: dict[str, Question], coach: CoachSettings, transcriber: Any
) -> str:
    """Transcribe, analyse and save an interrupted take (see store.py); a line to show."""
    from interviewer.session import finish_attempt

    record = store.load_record(path)
    audio = Path(record["audio_path"])
    if record.get("busy"):
        raise InterviewerError(
            f"{path.name} is being recorded now by another session",
            "it is saved when that session finishes it",
        )
    question = questions.get(record.get("question_id", ""))
    if question is None:
        raise InterviewerError(
            f"question {record.get('question_id')!r} is no longer in the bank",
            "put its file back to finish this take",
        )
    take = store.Take.claim(path, audio)
    if take is None:
        raise InterviewerError(f"{path.name} is being finished by another session", "")
    with take:
        if not audio.is_file():  # stopped before the recording began: nothing to keep
            path.unlink(missing_ok=True)
            return f"Removed an empty take of {question.id}: nothing had been recorded ({path})"
        clips = [Clip(audio, 0.0)]
        samples = _samples(clips)
        assert samples is not None
        follow_ups = [dict(f) for f in record.get("follow_ups") or []]
        follow = take.files.follow_up
        if follow.is_file():  # belongs to this take even when the record never said so
            if not follow_ups:
                follow_ups = [{"question": "", "audio": follow.name}]
            offset = round(len(samples) / SAMPLE_RATE_HZ, 3)
            follow_ups[0].update(audio=follow.name, offset_s=offset)
            clips.append(Clip(follow, follow_ups[0]["offset_s"]))
            samples = _samples(clips)
            assert samples is not None
        transcript = _transcribe(transcriber, clips)
        extra: dict[str, Any] = {k: record[k] for k in ("input", "source_audio") if k in record}
        extra.setdefault("input", "microphone")
        extra["ended_by"] = "interrupted (finished later)"
        extra["recovered_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
        if follow_ups:
            extra["follow_ups"] = follow_ups
        saved = finish_attempt(
            question, take.files, samples, transcript, coach, _created(record), extra=extra
        )
    return (
        f"Finished an interrupted take of {question.id} "
        f"({transcript.duration_s:.1f} s, {saved.record['status']}): {saved.files.markdown}"
    )


def _created(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(record.get("created_at")))
    except ValueError:
        return datetime.now()


def _transcriber(model: str | None) -> Any:
    from interviewer.adapters.transcribe import Transcriber
    from interviewer.settings import TranscribeSettings

    return Transcriber(TranscribeSettings(model=model))


def reanalyze_attempt(
    path: Path, questions: dict[str, Question], coach: CoachSettings, transcriber: Any = None
) -> str:
    """Rewrite one attempt's record and Markdown from its words (or audio); a line to log."""
    record = store.load_record(path)  # the one place older formats are upgraded
    question = questions.get(record.get("question_id", ""))
    if question is None:
        raise InterviewerError(
            f"question {record.get('question_id')!r} is no longer in the bank",
            "put its file back to reanalyse this attempt",
        )
    before = (
        review.summarise(Attempt.from_json(record), path.name) if record.get("sections") else None
    )
    clips = _clips(path.parent, record)
    audio = _clip_audio(clips)
    samples = _samples(clips, audio)
    if transcriber is not None:
        if samples is None:
            raise InterviewerError("its recording is missing", "re-transcribing needs the audio")
        _backup(path)
        record["previous_model"] = record.get("model", "")
        transcript = _transcribe(transcriber, clips, audio)
        record.update(
            duration_s=transcript.duration_s,
            speech_s=transcript.speech_s,
            filler_capture_s=transcript.filler_capture_s,
        )
        record["model"] = transcript.model
    else:
        transcript = transcript_from_record(record)
    pauses = _pauses(samples)
    markers = [(m["time_s"], m["label"]) for m in record.get("markers", [])]
    from interviewer.session import sentence_embedder

    record.update(
        analysis.analyse(question, transcript, pauses, coach, markers, embed=sentence_embedder())
    )
    _save(path, record, question)
    return _report_line(path, record, before, samples is None)


def transcript_from_record(record: dict[str, Any]) -> Transcript:
    words = tuple(
        Word(w["text"], float(w["start_s"]), float(w["end_s"]), float(w.get("probability", 1.0)))
        for w in record.get("words", [])
    )
    return Transcript(
        words=words,
        duration_s=float(record.get("duration_s", words[-1].end_s if words else 0.0)),
        speech_s=float(record.get("speech_s", 0.0)),
        model=str(record.get("model", "")),
        # records from before filler capture were decoded plainly
        filler_capture_s=float(record.get("filler_capture_s", 0.0)),
    )


def _clips(folder: Path, record: dict[str, Any]) -> list[Clip]:
    clips = [Clip(folder / record.get("audio", ""), 0.0)] if record.get("audio") else []
    for f in record.get("follow_ups") or []:
        if f.get("audio"):
            clips.append(
                Clip(
                    folder / f["audio"],
                    float(f.get("offset_s", 0.0)),
                    float(f.get("audio_start_s", 0.0)),
                )
            )
    return clips


def answer_samples(folder: Path, record: dict[str, Any]) -> np.ndarray | None:
    """The answer's audio on its own clock (also what play back plays), float32 in [-1, 1];
    None if missing."""
    pcm = _samples(_clips(folder, record))
    return None if pcm is None else pcm.astype(np.float32) / 32768.0


def _samples(clips: list[Clip], parts: list[np.ndarray] | None = None) -> np.ndarray | None:
    """All clips (or their audio `parts`, already read) end to end as int16, as the answer
    was analysed first; None if any is missing."""
    parts = _clip_audio(clips) if parts is None else parts
    if parts is None:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _clip_audio(clips: list[Clip]) -> list[np.ndarray] | None:
    """Each clip from its start_s, cut where the next clip begins on the answer's clock."""
    if not clips or not all(c.path.is_file() for c in clips):
        return None
    from interviewer.adapters.audio_files import load_pcm

    parts = []
    for clip, after in zip(clips, [*clips[1:], None]):
        audio = load_pcm(clip.path)[round(clip.start_s * SAMPLE_RATE_HZ) :]
        if after is not None:
            audio = audio[: max(0, round((after.offset_s - clip.offset_s) * SAMPLE_RATE_HZ))]
        parts.append(audio)
    return parts


def _pauses(samples: np.ndarray | None) -> list[tuple[float, float]]:
    from interviewer.core.pauses import find_pauses

    return [] if samples is None else find_pauses(samples, SAMPLE_RATE_HZ)


def _transcribe(
    transcriber: Any, clips: list[Clip], audio: list[np.ndarray] | None = None
) -> Transcript:
    """Each clip on the answer's clock; the follow-ups' words after the answer's."""
    from interviewer.session import blocks_of
    from interviewer.views.progress import TranscribeProgress

    audio = audio or _clip_audio(clips) or []
    parts = []
    for c, a in zip(clips, audio):
        with TranscribeProgress(c.path.name) as bar:
            parts.append(
                transcriber.transcribe_blocks(
                    blocks_of(a), len(a) / SAMPLE_RATE_HZ, offset_s=c.offset_s, progress=bar
                )
            )
    joined = join_transcripts(parts, clips[-1].offset_s + parts[-1].duration_s)
    from interviewer.session import free_whisper_after_long

    free_whisper_after_long(joined.duration_s)
    return joined


def _backup(path: Path) -> None:
    """Keep the record as first written, once: later re-transcriptions never replace it."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if not backup.exists():
        write_text_atomic(backup, path.read_text(encoding="utf-8"))


def _save(path: Path, record: dict[str, Any], question: Question) -> None:
    record.pop("path", None)  # added by store.load_record, not part of the file
    record["format_version"] = store.FORMAT_VERSION
    record["reanalyzed_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    store.save_over(path, record, summary.markdown(Attempt.from_json(record), question))


def _report_line(
    path: Path, record: dict[str, Any], before: dict[str, Any] | None, no_audio: bool
) -> str:
    name = path.name.removesuffix(".json")
    if record.get("status") != "ok":
        return f"{name}: {record.get('status')}"
    after = review.summarise(Attempt.from_json(record), path.name)
    if before is None:
        what = "analysed for the first time"
    elif any(v for v in _flat(review.changes(after, before))):
        what = review.compare(after, before)
    else:
        what = "unchanged"
    note = " (recording missing: boundaries not snapped to pauses)" if no_audio else ""
    return f"{name}: {what}{note}"


def _flat(changes: dict[str, Any]) -> list[float]:
    return [v for k, v in changes.items() if k != "share_points"] + list(
        changes["share_points"].values()
    )
