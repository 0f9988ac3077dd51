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
from datetime import datetime
from pathlib import Path
from typing import Any

from interviewer.adapters import store
from interviewer.adapters.bank import Bank, load_coach_settings
from interviewer.adapters.fileio import StorageError, write_text_atomic
from interviewer.core.coaching import CoachSettings
from interviewer.core.models import Question, Transcript, Word
from interviewer.core.records import Attempt
from interviewer.errors import InterviewerError
from interviewer.session import (
    BankStore,
    Clip,
    Stores,
    Transcribes,
    analyse,
    clip_audio,
    clips_of,
    finish_attempt,
    joined_samples,
    transcribe_clips,
)
from interviewer.settings import SAMPLE_RATE_HZ
from interviewer.views import review, summary

BACKUP_SUFFIX = ".bak"


def run(
    bank: Bank,
    question: Question | None,
    model: str | None,
    log: Callable[[str], Any] = print,
    warn: Callable[[str], Any] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Reanalyse every attempt (at `question`, if given); returns how many were found.
    `model` (a name or folder) re-transcribes them too; None keeps their words."""
    from interviewer.adapters.transcribe import transcriber_for

    coach = load_coach_settings(bank.root)
    paths = store.attempts_for(question) if question else store.all_attempts(bank.root)
    transcriber = transcriber_for(model) if model and paths else None
    questions = {q.id: q for q in bank.questions}
    finisher = transcriber  # unfinished takes need transcribing even without --model
    done = 0
    for path in paths:
        try:
            if store.is_unfinished(store.load_attempt(path)):
                finisher = finisher or transcriber_for(model)
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


def finish_unfinished(
    bank: Bank, transcriber: Transcribes, log: Callable[[str], Any] = print
) -> int:
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
    path: Path, questions: dict[str, Question], coach: CoachSettings, transcriber: Transcribes
) -> str:
    """Transcribe, analyse and save an interrupted take (see store.py); a line to show."""
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
        samples = joined_samples(clips)
        assert samples is not None
        follow_ups = [dict(f) for f in record.get("follow_ups") or []]
        follow = take.files.follow_up
        if follow.is_file():  # belongs to this take even when the record never said so
            if not follow_ups:
                follow_ups = [{"question": "", "audio": follow.name}]
            offset = round(len(samples) / SAMPLE_RATE_HZ, 3)
            follow_ups[0].update(audio=follow.name, offset_s=offset)
            clips.append(Clip(follow, follow_ups[0]["offset_s"]))
            samples = joined_samples(clips)
            assert samples is not None
        transcript = transcribe_clips(transcriber, clips)
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


def reanalyze_attempt(
    path: Path,
    questions: dict[str, Question],
    coach: CoachSettings,
    transcriber: Transcribes | None = None,
    stores: Stores | None = None,
) -> str:
    """Rewrite one attempt's record and Markdown from its words (or, with a transcriber, its
    audio); a line to log."""
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
    clips = clips_of(path.parent, record)
    audio = clip_audio(clips)
    samples = joined_samples(clips, audio)
    if transcriber is not None:
        if samples is None:
            raise InterviewerError("its recording is missing", "re-transcribing needs the audio")
        _backup(path)
        record["previous_model"] = record.get("model", "")
        transcript = transcribe_clips(transcriber, clips, audio)
        record.update(
            duration_s=transcript.duration_s,
            speech_s=transcript.speech_s,
            filler_capture_s=transcript.filler_capture_s,
        )
        record["model"] = transcript.model
    else:
        transcript = transcript_from_record(record)
    markers = [(m["time_s"], m["label"]) for m in record.get("markers", [])]
    record.update(analyse(question, transcript, samples, coach, markers))
    _save(path, record, question, stores or BankStore())
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


def _backup(path: Path) -> None:
    """Keep the record as first written, once: later re-transcriptions never replace it."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if not backup.exists():
        write_text_atomic(backup, path.read_text(encoding="utf-8"))


def _save(path: Path, record: dict[str, Any], question: Question, stores: Stores) -> None:
    record.pop("path", None)  # added by store.load_record, not part of the file
    record["format_version"] = store.FORMAT_VERSION
    record["reanalyzed_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    stores.rewrite(
        store.files_for(path), record, summary.markdown(Attempt.from_json(record), question)
    )


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
