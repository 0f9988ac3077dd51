"""Build `audio_fixtures/`: spoken STAR answers synthesized with espeak-ng, with true times.

Every answer is spoken sentence by sentence (one espeak-ng call each). Each sentence is
resampled to 16 kHz mono by sox and trimmed to its speech (espeak's own leading and trailing
silence removed), then the sentences are joined with digital silence: 0.35-0.6 s between
sentences, 0.8-1.2 s between STAR sections, 0.5 s lead-in and tail. The gap lengths come from
a random generator seeded with the fixture's name, so the output is the same on every run.
`manifest.json` records, per fixture, the script and each section's true start and end (the
first and last sample of its speech).

    python scripts/make_fixtures.py            # (re)write audio_fixtures/
    python scripts/make_fixtures.py --check    # regenerate into a temp dir, compare manifests
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.adapters.bank import load_bank  # noqa: E402
from interviewer.core.models import LABELS, Story  # noqa: E402

RATE_HZ = 16000
FORMAT_VERSION = 1
SPEECH_EDGE = 10 ** (-60 / 20)  # |x| above -60 dBFS counts as speech when trimming
PEAK = 10 ** (-3 / 20)  # every fixture is normalized to a -3 dBFS peak
LEAD_S = 0.5
TAIL_S = 0.5
SENTENCE_GAP_S = (0.35, 0.6)
SECTION_GAP_S = (0.8, 1.2)
NOISE_DBFS = -35.0
NO_SPEECH_S = 10.0
MAX_LEN_S = 75.0
TIME_TOLERANCE_S = 0.01
# Written forms nobody says aloud as written (espeak reads "1/2" as "one slash two").
SPOKEN_FORMS = {"1/2": "half", "win/win": "win-win"}
FILLER_NOTE = (
    "espeak-ng says 'um' as /Vm/ and 'uh' as a short /V/. Over the four filler fixtures tiny.en "
    "(default TranscribeSettings) wrote 2 of 10 'um' and 0 of 3 'uh' (one came out as 'Ah'); "
    "with initial_prompt 'Um, uh, hmm, er, ah.' it wrote 9 of 10 and 2 of 3. 'you know' (2/2) "
    "and 'like' (6/6) were transcribed either way."
)

# Signposts that open a section; {s} is the section's first sentence (first letter lowered).
SIGNPOSTS: dict[str, tuple[str, ...]] = {
    "situation": (
        "The situation was that {s}",
        "So, some background. {s}",
        "To set the scene, {s}",
        "The context was this. {s}",
    ),
    "task": (
        "My task was this: {s}",
        "The challenge for me was this. {s}",
        "What I needed to do was simple. {s}",
        "My goal was clear. {s}",
    ),
    "action": (
        "So what I did was this. {s}",
        "The first thing I did was to dig in. {s}",
        "So I decided to act. {s}",
        "The steps I took were these. {s}",
    ),
    "result": (
        "As a result, {s}",
        "In the end, {s}",
        "The outcome was that {s}",
        "The result was this: {s}",
    ),
    "learning": (
        "What I learned is that {s}",
        "The lesson for me was this. {s}",
        "Looking back, {s}",
        "My main takeaway is that {s}",
    ),
}
FILLERS = ("um", "uh", "you know", "like")

# New first-person Ownership stories, not in the bank: answers that differ from the reference.
DIFFERENT_05 = Story(
    situation=(
        "Last spring a colleague on my team took over our billing service while its owner was "
        "on leave. Within two weeks he was paged almost every night and his pull requests "
        "stalled."
    ),
    task=(
        "Nobody had asked me to help, but the quarterly invoice run was only a month away. "
        "I wanted him to succeed without taking the work away from him."
    ),
    action=(
        "I offered to pair with him for an hour every morning. We wrote a runbook for the five "
        "alerts that woke him up most often. I also moved two of my own tickets to the next "
        "sprint so that I had the time."
    ),
    result=(
        "His night pages dropped from about six a week to one. The invoice run finished on "
        "schedule, and he presented the runbook at our team review."
    ),
    learning=(
        "Stepping in early is cheaper than rescuing a project later. Now I check in with anyone "
        "who inherits a service in their first week."
    ),
)
DIFFERENT_03 = Story(
    situation=(
        "Two years ago I owned the migration of our reporting database to a new cluster. "
        "I had promised the finance team it would be live before their year end close."
    ),
    task=(
        "Three weeks before the date, our load tests showed that the nightly jobs ran twice as "
        "long as planned. I had to decide whether to push on or reset expectations."
    ),
    action=(
        "I wrote a one page summary of the risk with the numbers and two options. I met the "
        "finance lead the same day instead of waiting for the weekly status meeting. Then I "
        "split the migration so the reports they needed most moved first."
    ),
    result=(
        "Finance closed the year on time with the critical reports on the new cluster. The "
        "remaining jobs moved two weeks later with no incidents."
    ),
    learning=(
        "Bad news gets cheaper the earlier you share it. Since then I put a risk review on the "
        "calendar halfway through every commitment I make."
    ),
)
NO_QUESTION = Story(
    situation=(
        "At my last company our build pipeline failed about one run in five. Every team "
        "complained about it, but nobody owned it."
    ),
    task=(
        "I was not on the infrastructure team, yet my release was blocked twice in one week. "
        "I decided that fixing the flaky tests was my problem too."
    ),
    action=(
        "I collected a month of failure logs and grouped them by cause. Most failures came from "
        "four tests that shared a temporary folder. I fixed those tests and added a dashboard "
        "that showed the failure rate per team."
    ),
    result=(
        "The failure rate fell from twenty percent to under two percent in three weeks. Other "
        "teams started fixing their own flaky tests once they could see them."
    ),
    learning=(
        "If something hurts everyone, it is probably owned by no one. I learned that making a "
        "problem visible is often the fastest way to get it fixed."
    ),
)
# The reference stories of 01 and 05 retold in other words: what a rehearsed answer sounds like.
PARAPHRASE_01 = Story(
    situation=(
        "Nobody likes failing, but everybody does. I like to say that being wrong is a learning "
        "experience, and that people who never learn stay simple minded. When I am wrong, it is "
        "usually because I did not set expectations properly."
    ),
    task=(
        "After a failure I try to find the root cause, or at least the first point where things "
        "went wrong. Not long ago I was asked to document and lead a workflow that I thought was "
        "set up perfectly."
    ),
    action=(
        "When it was time to run it, the teammate who was supposed to help me was offline, so I "
        "was on my own. I had never told them how time sensitive the work was. Downstream teams "
        "were waiting on our deliveries before they could start."
    ),
    result=(
        "I did the first half of the work by myself, and once my colleague arrived we caught up "
        "together. We delivered two hours behind schedule, because I had overlooked the timing."
    ),
    learning=(
        "Small details matter, and everyone involved needs them written down and confirmed. A "
        "tiny detail that gets missed can become the critical one that causes a failure. I think "
        "about that a lot, and I have made sure not to repeat it."
    ),
)
PARAPHRASE_05 = Story(
    situation=(
        "One of my direct reports had just moved into a new role. They had done really well in "
        "earlier roles, but in this one they were struggling to deliver."
    ),
    task="I wanted to find out what I could do to help them succeed in the new position.",
    action=(
        "First I spent more one on one time with them, and I brought in another person to help "
        "with the project management. That still did not work, and we could not agree on the "
        "direction of the project."
    ),
    result=(
        "Rather than putting the employee on a performance plan, I looked for a role that suited "
        "them better. I worked with other managers to have them moved in under two weeks, and "
        "they are doing really well there now."
    ),
    learning=(
        "Sometimes, especially during COVID, good people simply land in the wrong place. That "
        "does not make them a bad employee."
    ),
)


@dataclass(frozen=True)
class Spec:
    """One fixture to make. `story` None means the reference story of `question_id`."""

    name: str
    question_id: str | None
    voice: str
    rate_wpm: int
    kind: str  # reference-story | paraphrase | different-story | no-story
    signposts: bool = False
    fillers: bool = False
    drop: tuple[str, ...] = ()  # sections left out on purpose
    story: Story | None = None
    core: bool = False  # the issue-2 core set
    length_exception: str = ""
    extra: dict[str, str] = field(default_factory=dict)


LONG_01 = (
    "the reference story is 266 words; spoken verbatim at 160 wpm it takes about 100 s, over "
    "the 75 s limit for the other fixtures"
)
SPECS: tuple[Spec, ...] = (
    # a. issue-2 core set: the reference story verbatim, no signposts, en-us at 160 wpm.
    Spec(
        "01-failed-at-work.en-us.160",
        "01-failed-at-work",
        "en-us",
        160,
        "reference-story",
        core=True,
        length_exception=LONG_01,
    ),
    Spec(
        "02-took-on-something-significant.en-us.160",
        "02-took-on-something-significant",
        "en-us",
        160,
        "reference-story",
        core=True,
    ),
    Spec(
        "03-didnt-meet-commitments-promised.en-us.160",
        "03-didnt-meet-commitments-promised",
        "en-us",
        160,
        "reference-story",
        core=True,
    ),
    Spec(
        "05-peer-struggling-step-help.en-us.160",
        "05-peer-struggling-step-help",
        "en-us",
        160,
        "reference-story",
        core=True,
    ),
    Spec(
        "06-ensure-projects-complete-transitioned.en-us.160",
        "06-ensure-projects-complete-transitioned",
        "en-us",
        160,
        "reference-story",
        core=True,
    ),
    # c. STAR-evaluation set.
    Spec(
        "02-took-on-something-significant.signposts.en-gb.185",
        "02-took-on-something-significant",
        "en-gb",
        185,
        "reference-story",
        signposts=True,
    ),
    Spec(
        "03-didnt-meet-commitments-promised.signposts.en-us-f3.140",
        "03-didnt-meet-commitments-promised",
        "en-us+f3",
        140,
        "reference-story",
        signposts=True,
    ),
    Spec(
        "05-peer-struggling-step-help.signposts.fillers.en-gb-scotland.160",
        "05-peer-struggling-step-help",
        "en-gb-scotland",
        160,
        "reference-story",
        signposts=True,
        fillers=True,
    ),
    Spec(
        "06-ensure-projects-complete-transitioned.fillers.en-us.185",
        "06-ensure-projects-complete-transitioned",
        "en-us",
        185,
        "reference-story",
        fillers=True,
    ),
    Spec(
        "06-ensure-projects-complete-transitioned.signposts.en-m3.160",
        "06-ensure-projects-complete-transitioned",
        "en+m3",
        160,
        "reference-story",
        signposts=True,
    ),
    Spec(
        "01-failed-at-work.no-task.en-gb.185",
        "01-failed-at-work",
        "en-gb",
        185,
        "reference-story",
        drop=("task",),
    ),
    Spec(
        "05-peer-struggling-step-help.no-learning.signposts.en-us.185",
        "05-peer-struggling-step-help",
        "en-us",
        185,
        "reference-story",
        signposts=True,
        drop=("learning",),
    ),
    Spec(
        "03-didnt-meet-commitments-promised.no-task.fillers.en-gb-scotland.140",
        "03-didnt-meet-commitments-promised",
        "en-gb-scotland",
        140,
        "reference-story",
        fillers=True,
        drop=("task",),
    ),
    Spec(
        "01-failed-at-work.paraphrase.en-gb-x-rp.185",
        "01-failed-at-work",
        "en-gb-x-rp",
        185,
        "paraphrase",
        story=PARAPHRASE_01,
    ),
    Spec(
        "05-peer-struggling-step-help.paraphrase.signposts.en-us.160",
        "05-peer-struggling-step-help",
        "en-us",
        160,
        "paraphrase",
        signposts=True,
        story=PARAPHRASE_05,
    ),
    Spec(
        "05-peer-struggling-step-help.different-story.en-gb.160",
        "05-peer-struggling-step-help",
        "en-gb",
        160,
        "different-story",
        story=DIFFERENT_05,
    ),
    Spec(
        "03-didnt-meet-commitments-promised.different-story.signposts.en-us.160",
        "03-didnt-meet-commitments-promised",
        "en-us",
        160,
        "different-story",
        signposts=True,
        story=DIFFERENT_03,
    ),
    Spec(
        "no-question.signposts.en-us-f3.185",
        None,
        "en-us+f3",
        185,
        "no-story",
        signposts=True,
        story=NO_QUESTION,
    ),
    Spec(
        "no-question.fillers.en-gb.160",
        None,
        "en-gb",
        160,
        "no-story",
        fillers=True,
        story=NO_QUESTION,
    ),
)


# --- text --------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences of a story part; a closing quote stays with its sentence."""
    found = re.findall(r"[^.?!]+(?:[.?!]+[”\"’)]*|$)", text.replace("\n", " "))
    return [s.strip() for s in found if s.strip()]


def spoken(text: str) -> str:
    for written, said in SPOKEN_FORMS.items():
        text = text.replace(written, said)
    return text


def _lower_first(sentence: str) -> str:
    word = sentence.split(" ", 1)[0]
    if word in ("I", "I’m", "I'm", "I’ve", "I've") or word.isupper():
        return sentence
    return sentence[0].lower() + sentence[1:]


def add_signpost(label: str, sentence: str, rng: random.Random) -> str:
    template = rng.choice(SIGNPOSTS[label])
    own_sentence = template.endswith(". {s}")  # the signpost is a sentence of its own
    return template.format(s=sentence if own_sentence else _lower_first(sentence))


def add_filler(sentence: str, rng: random.Random) -> str:
    """Insert one filler where people put them: at the start, after a comma, or mid-clause."""
    words = sentence.split(" ")
    commas = [i for i, w in enumerate(words[:-1]) if w.endswith(",")]
    where = rng.choice(("start", "comma", "mid")) if commas else rng.choice(("start", "mid"))
    if where == "start":  # people open with a hesitation sound, not with "like"
        return f"{rng.choice(FILLERS[:2]).capitalize()}, {_lower_first(sentence)}"
    filler = rng.choice(FILLERS)
    if where == "comma":
        i = rng.choice(commas)
        words.insert(i + 1, f"{filler},")
        return " ".join(words)
    i = rng.randrange(1, max(2, len(words) - 1))
    words.insert(i, f"{filler},")
    words[i - 1] = words[i - 1].rstrip(",") + ","
    return " ".join(words)


def script_of(spec: Spec, story: Story) -> dict[str, list[str]]:
    """label -> spoken sentences; an empty list for a section that is not spoken."""
    rng = random.Random(_seed(spec.name, "text"))
    out: dict[str, list[str]] = {}
    for label in LABELS:
        sentences = [] if label in spec.drop else split_sentences(spoken(story.part(label)))
        if sentences and spec.signposts:
            sentences[0] = add_signpost(label, sentences[0], rng)
        if spec.fillers:
            sentences = [add_filler(s, rng) if rng.random() < 0.45 else s for s in sentences]
        out[label] = sentences
    return out


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


# --- audio -------------------------------------------------------------------------------


def synthesize(sentence: str, voice: str, rate_wpm: int) -> np.ndarray:
    """One sentence as float32 16 kHz mono, trimmed to its speech."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate_wpm), "--stdout", "--", sentence],
        capture_output=True,
        check=True,
    ).stdout
    pcm = subprocess.run(
        [
            "sox",
            "-V1",
            "-t",
            "wav",
            "-",
            "-t",
            "raw",
            "-e",
            "floating-point",
            "-b",
            "32",
            "-c",
            "1",
            "-r",
            str(RATE_HZ),
            "-",
        ],
        input=wav,
        capture_output=True,
        check=True,
    ).stdout
    samples = np.frombuffer(pcm, dtype="<f4")
    loud = np.flatnonzero(np.abs(samples) > SPEECH_EDGE)
    if not loud.size:
        raise RuntimeError(f"espeak-ng produced no speech for {sentence!r}")
    return samples[loud[0] : loud[-1] + 1].astype(np.float32)


def _gap(rng: random.Random, bounds: tuple[float, float]) -> int:
    """A silence length in samples, rounded to 10 ms."""
    return int(round(rng.uniform(*bounds), 2) * RATE_HZ)


def assemble(spec: Spec, script: dict[str, list[str]]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The answer audio and one record per sentence with its true start and end."""
    rng = random.Random(_seed(spec.name, "gaps"))
    pieces: list[np.ndarray] = [np.zeros(int(LEAD_S * RATE_HZ), np.float32)]
    at = len(pieces[0])
    sentences: list[dict[str, Any]] = []
    for label in LABELS:
        for k, text in enumerate(script[label]):
            if sentences:
                gap = _gap(rng, SECTION_GAP_S if k == 0 else SENTENCE_GAP_S)
                pieces.append(np.zeros(gap, np.float32))
                at += gap
            speech = synthesize(text, spec.voice, spec.rate_wpm)
            pieces.append(speech)
            sentences.append(
                {
                    "label": label,
                    "start_s": round(at / RATE_HZ, 4),
                    "end_s": round((at + len(speech)) / RATE_HZ, 4),
                    "text": text,
                }
            )
            at += len(speech)
    pieces.append(np.zeros(int(TAIL_S * RATE_HZ), np.float32))
    audio = np.concatenate(pieces)
    return audio * (PEAK / float(np.max(np.abs(audio)))), sentences


def sections_of(sentences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for label in LABELS:
        mine = [s for s in sentences if s["label"] == label]
        if mine:
            out.append(
                {
                    "label": label,
                    "start_s": mine[0]["start_s"],
                    "end_s": mine[-1]["end_s"],
                    "text": " ".join(s["text"] for s in mine),
                }
            )
    return out


def to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")


def write_flac(path: Path, audio: np.ndarray) -> None:
    subprocess.run(
        [
            "sox",
            "-V1",
            "-t",
            "raw",
            "-e",
            "signed",
            "-b",
            "16",
            "-c",
            "1",
            "-r",
            str(RATE_HZ),
            "-",
            "-C",
            "8",
            str(path),
        ],
        input=to_int16(audio).tobytes(),
        check=True,
    )


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(to_int16(audio).tobytes())


def pink_noise(n: int, rms_dbfs: float, seed: int) -> np.ndarray:
    """Pink (1/f power) noise scaled to `rms_dbfs`, from a fixed seed."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE_HZ)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return (noise * (10 ** (rms_dbfs / 20) / np.sqrt(np.mean(noise**2)))).astype(np.float32)


# --- fixtures ----------------------------------------------------------------------------


def groups_of(spec: Spec) -> list[str]:
    groups = ["with signposts" if spec.signposts else "without signposts"]
    if spec.core:
        groups.append("core")
    if spec.fillers:
        groups.append("fillers")
    if spec.drop:
        groups.append("missing sections")
    if spec.kind == "paraphrase":
        groups.append("paraphrase")
    if spec.kind == "different-story":
        groups.append("different story")
    if spec.question_id is None:
        groups.append("no story")
    return groups


def made_with(spec: Spec, espeak_version: str) -> str:
    return (
        f"espeak-ng {espeak_version} -v {spec.voice} -s {spec.rate_wpm}, one call per sentence; "
        f"each sentence resampled to {RATE_HZ} Hz by sox and trimmed to its speech "
        f"(|x| > -60 dBFS); joined with digital silence {SENTENCE_GAP_S[0]}-{SENTENCE_GAP_S[1]} s "
        f"between sentences, {SECTION_GAP_S[0]}-{SECTION_GAP_S[1]} s between sections, "
        f"{LEAD_S} s lead-in and {TAIL_S} s tail (seeded by the file name); peak -3 dBFS; FLAC"
    )


def make_answer(spec: Spec, story: Story, out_dir: Path, espeak_version: str) -> dict[str, Any]:
    script = script_of(spec, story)
    audio, sentences = assemble(spec, script)
    file = f"{spec.name}.flac"
    write_flac(out_dir / file, audio)
    sections = sections_of(sentences)
    spoken_labels = {s["label"] for s in sections}
    entry: dict[str, Any] = {
        "file": file,
        "question_id": spec.question_id,
        "voice": spec.voice,
        "rate_wpm": spec.rate_wpm,
        "kind": spec.kind,
        "groups": groups_of(spec),
        "signposts": spec.signposts,
        "fillers": spec.fillers,
        "made_with": made_with(spec, espeak_version),
        "duration_s": round(len(audio) / RATE_HZ, 4),
        "script": " ".join(s["text"] for s in sentences),
        "sections": sections,
        "missing": [label for label in LABELS if label not in spoken_labels],
        "sentences": sentences,
    }
    if spec.fillers:
        entry["filler_note"] = FILLER_NOTE
    if spec.length_exception:
        entry["length_exception"] = spec.length_exception
    return entry


def make_no_speech(out_dir: Path) -> list[dict[str, Any]]:
    n = int(NO_SPEECH_S * RATE_HZ)
    write_wav(out_dir / "silence.wav", np.zeros(n, np.float32))
    write_wav(out_dir / "noise.wav", pink_noise(n, NOISE_DBFS, seed=20240521))
    common = {
        "question_id": None,
        "voice": None,
        "rate_wpm": None,
        "kind": "no-speech",
        "groups": ["no speech"],
        "signposts": False,
        "fillers": False,
        "duration_s": NO_SPEECH_S,
        "script": "",
        "sections": [],
        "missing": list(LABELS),
        "sentences": [],
    }
    return [
        {
            "file": "silence.wav",
            **common,
            "made_with": f"{NO_SPEECH_S:g} s of digital silence, 16-bit WAV",
        },
        {
            "file": "noise.wav",
            **common,
            "made_with": f"{NO_SPEECH_S:g} s of pink noise at {NOISE_DBFS:g} dBFS RMS "
            "(numpy default_rng seed 20240521, 1/f spectrum), 16-bit WAV",
        },
    ]


def tool_version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = re.search(r"\d+\.\d+(\.\d+)?", out)
    return found.group(0) if found else out.strip()


def build(out_dir: Path, bank_dir: Path) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    bank = load_bank(bank_dir)
    by_id = {q.id: q for q in bank.questions}
    espeak = tool_version(["espeak-ng", "--version"])
    fixtures = []
    for spec in SPECS:
        story = spec.story or by_id[str(spec.question_id)].story
        fixtures.append(make_answer(spec, story, out_dir, espeak))
        print(f"  {fixtures[-1]['file']}: {fixtures[-1]['duration_s']:.1f} s", file=sys.stderr)
    fixtures += make_no_speech(out_dir)
    manifest = {
        "format_version": FORMAT_VERSION,
        "sample_rate_hz": RATE_HZ,
        "made_by": "scripts/make_fixtures.py",
        "espeak_ng_version": espeak,
        "sox_version": tool_version(["sox", "--version"]),
        "fixtures": fixtures,
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


# --- check -------------------------------------------------------------------------------


def compare(a: Any, b: Any, where: str = "manifest") -> list[str]:
    """Differences between two manifests; times (keys ending in _s) may differ by 0.01 s."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys differ: {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in compare(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in compare(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and where.endswith("_s"):
        return [] if abs(a - b) <= TIME_TOLERANCE_S else [f"{where}: {a} vs {b}"]
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


def check(out_dir: Path, bank_dir: Path) -> int:
    committed = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="fixtures-check-"))
    try:
        fresh = build(tmp, bank_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    diffs = compare(committed, fresh)
    for d in diffs[:30]:
        print(f"DIFF {d}")
    print("manifest matches a fresh build" if not diffs else f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "audio_fixtures")
    parser.add_argument("--bank", type=Path, default=ROOT / "questions")
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and compare the manifests",
    )
    args = parser.parse_args(argv)
    if args.check:
        return check(args.out, args.bank)
    build(args.out, args.bank)
    print(f"wrote {args.out / 'manifest.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
