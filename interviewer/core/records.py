"""Pure: the attempt record as typed dataclasses, and its one JSON mapping.

`Attempt.from_json(d).to_json() == d` for every record this program writes (format_version
2, or 1 after `store.upgrade`): each class maps its fields one to one to JSON keys, a record
read from a file keeps the keys it had in their order (`keys`), keys this version does not
know are kept as they were (`extra`), and numbers are kept as read (an int stays an int).
A field that is None and was not in the file is left out, so optional keys stay optional.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, ClassVar, TypedDict, TypeVar

# An object as json.loads gives it: the values are checked by store.check_record.
JsonObject = dict[str, Any]

T = TypeVar("T", bound="JsonRecord")


@dataclass
class JsonRecord:
    """Base of every record class: one JSON object, one dataclass."""

    # Keys of the object this was read from, in file order; () for a record made in memory.
    keys: tuple[str, ...] = field(default=(), kw_only=True, repr=False, compare=False)
    # Keys this version does not know, kept so that saving never drops them.
    extra: JsonObject = field(default_factory=dict, kw_only=True, repr=False, compare=False)

    # How to read a nested value: JSON key -> converter; others are taken as they are.
    _DECODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    _INTERNAL: ClassVar[frozenset[str]] = frozenset({"keys", "extra"})
    # Fields filled in when a record is read (where it was found), never saved.
    _RUNTIME: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def _names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in cls._INTERNAL and f.init]

    @classmethod
    def from_json(cls: type[T], data: Mapping[str, Any]) -> T:
        """Read one checked JSON object (see store.check_record).

        Built without __init__ (none of these classes has a __post_init__): `history`
        reads every record in the bank, and this is most of what a record costs to read."""
        layout = _layout(cls)
        names = layout.reads
        obj = cls.__new__(cls)
        state = obj.__dict__
        if layout.flat and names.issuperset(data):  # a span, a check: nothing to convert
            state.update(layout.plain)
            state.update(data)
            state["keys"] = tuple(data)
            state["extra"] = {}
            return obj
        decode = cls._DECODE
        values: dict[str, Any] = {}
        unknown: JsonObject = {}
        for k, v in data.items():
            if k in names:
                values[k] = decode[k](v) if v is not None and k in decode else v
            else:
                unknown[k] = v
        runtime = cls._RUNTIME
        keys = tuple(k for k in data if k not in runtime) if runtime else tuple(data)
        state.update(layout.plain)
        for name, make in layout.factories:
            state[name] = make()
        state.update(values)
        state["keys"] = keys
        state["extra"] = unknown
        return obj

    def to_json(self) -> JsonObject:
        """The JSON object: the keys read, in their order, then any field set since."""
        layout = _layout(type(self))
        state = self.__dict__
        out: JsonObject = {}
        for key in self.keys:
            if key in self.extra:
                out[key] = self.extra[key]
            elif key in state:
                out[key] = _encode(state[key])
        for name in layout.saves:
            if name in out:
                continue
            value = state[name]
            if value is None or (self.keys and value == layout.plain.get(name, MISSING)):
                continue
            out[name] = _encode(value)
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


@dataclass(frozen=True)
class _Layout:
    plain: dict[str, Any]  # field -> its default
    factories: list[tuple[str, Callable[[], Any]]]  # field -> what makes its default
    reads: frozenset[str]  # JSON keys read into fields
    saves: tuple[str, ...]  # fields saved, in declaration order
    flat: bool  # no nested records, no runtime fields, no default factories but `extra`


_LAYOUTS: dict[type, _Layout] = {}


def _layout(cls: type[JsonRecord]) -> _Layout:
    got = _LAYOUTS.get(cls)
    if got is None:
        got = _Layout(
            {f.name: f.default for f in fields(cls) if f.default is not MISSING},
            [(f.name, f.default_factory) for f in fields(cls) if f.default_factory is not MISSING],
            frozenset(cls._names()) | cls._RUNTIME,
            tuple(cls._names()),
            not cls._DECODE
            and not cls._RUNTIME
            and all(f.name == "extra" for f in fields(cls) if f.default_factory is not MISSING),
        )
        _LAYOUTS[cls] = got
    return got


def _encode(value: Any) -> Any:
    if isinstance(value, JsonRecord):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _list_of(cls: type[T]) -> Callable[[Any], list[T]]:
    return lambda items: [cls.from_json(x) for x in items]


def _map_of(cls: type[T]) -> Callable[[Any], dict[str, T]]:
    return lambda items: {k: cls.from_json(v) for k, v in items.items()}


# --- parts of a record ----------------------------------------------------------------------


@dataclass
class Span(JsonRecord):
    """One stretch of an answer in which a part was said; seconds from the audio's start."""

    start_s: float = 0.0
    end_s: float = 0.0


class _WordRequired(TypedDict):
    text: str
    start_s: float  # seconds from the start of the answer audio
    end_s: float


class SavedWord(_WordRequired, total=False):
    """One transcribed word as saved. Plain JSON data, not a dataclass: a record holds
    hundreds, and `history` reads every record once; building objects for them cost 0.3 s
    for a thousand records against 1.1 s for all the rest."""

    probability: float
    label: str  # the STAR part it was said in


@dataclass
class SectionRecord(JsonRecord):
    """A STAR part (or `other`) as saved: its spans cut to the answer, its time and share,
    how sure the split is (0..1; None in records from before format 2) and why."""

    label: str = ""
    start_s: float = 0.0
    end_s: float = 0.0
    spans: list[Span] | None = None
    duration_s: float = 0.0
    share: float = 0.0
    text: str = ""
    missing: bool = False
    confidence: float | None = None
    reason: str = ""

    _DECODE = {"spans": _list_of(Span)}

    @property
    def times(self) -> list[tuple[float, float]]:
        """Each stretch as (start_s, end_s); none when missing."""
        if self.missing:
            return []
        if self.spans is None:  # an older record not read through store.load_attempt
            return [(self.start_s, self.end_s)]
        return [(p.start_s, p.end_s) for p in self.spans]


@dataclass
class SectionMetrics(JsonRecord):
    start_s: float | None = None
    end_s: float | None = None
    spans: list[Span] | None = None
    duration_s: float = 0.0
    share: float = 0.0
    words: int = 0
    wpm: float = 0.0
    missing: bool = False

    _DECODE = {"spans": _list_of(Span)}


@dataclass(frozen=True)
class CheckKind:
    """What a check measures: its title in views and how its value is written."""

    name: str
    title: str
    unit: str  # "share", "seconds", "yes/no", "tenths" or "count"

    def format(self, value: float) -> str:
        """'42%', '95 s', 'yes', '2.5' or '3'."""
        if self.unit == "share":
            return f"{value:.0%}"
        if self.unit == "seconds":
            return f"{value:.0f} s"
        if self.unit == "yes/no":
            return "yes" if value else "no"
        return f"{value:.1f}" if self.unit == "tenths" else f"{value:.0f}"


# Every check metrics.checks makes, in its order; a name not here (a record from a later
# version) shows its name as title and its value as a count.
CHECK_KINDS: dict[str, CheckKind] = {
    k.name: k
    for k in (
        CheckKind("length", "Length", "seconds"),
        CheckKind("action_share", "Action share", "share"),
        CheckKind("setup_share", "Situation + Task share", "share"),
        CheckKind("result_number", "Number in the Result", "yes/no"),
        CheckKind("learning", "Learning", "yes/no"),
        CheckKind("wpm", "Words per minute", "count"),
        CheckKind("fillers_per_min", "Fillers per minute", "tenths"),
        CheckKind("hedges", "Hedges", "count"),
        CheckKind("i_vs_we", "'I' per 'we' in the Action", "tenths"),
        CheckKind("situation_length", "Situation length", "seconds"),
        CheckKind("task_length", "Task length", "seconds"),
    )
}


@dataclass
class Check(JsonRecord):
    """One measure against its target: `value` in the kind's unit, `target` as shown."""

    name: str = ""
    value: float = 0.0
    target: str = ""
    ok: bool = False
    message: str = ""

    @property
    def kind(self) -> CheckKind:
        return CHECK_KINDS.get(self.name) or CheckKind(self.name, self.name, "count")

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def value_text(self) -> str:
        return self.kind.format(float(self.value))


@dataclass
class LongPause(JsonRecord):
    start_s: float = 0.0
    end_s: float | None = None
    duration_s: float = 0.0
    section: str | None = None  # the part it fell in; "" or None when none


@dataclass
class KeyFact(JsonRecord):
    """A number or name of the reference story and whether the answer said it."""

    fact: str = ""
    kind: str | None = None  # "number" or "name"
    value: str = ""
    section: str | None = None
    status: str | None = None  # "said", "changed" or "missed"


@dataclass
class FillerCapture(JsonRecord):
    coverage: float = 0.0
    trust: str = ""
    note: str = ""


@dataclass
class Metrics(JsonRecord):
    """The delivery measures of an answer (metrics.measure); seconds, words a minute."""

    answer_s: float = 0.0
    words: int = 0
    wpm: float = 0.0
    sections: dict[str, SectionMetrics] = field(default_factory=dict)
    fillers: dict[str, int] = field(default_factory=dict)
    fillers_per_min: float = 0.0
    long_pauses: list[LongPause] = field(default_factory=list)
    hedges: int = 0
    action_i: int = 0
    action_we: int = 0
    key_facts: list[KeyFact] = field(default_factory=list)
    other_s: float | None = None  # chit-chat and asides, in no share; absent when none
    checks: list[Check] = field(default_factory=list)
    filler_capture: FillerCapture | None = None

    _DECODE = {
        "sections": _map_of(SectionMetrics),
        "long_pauses": _list_of(LongPause),
        "key_facts": _list_of(KeyFact),
        "checks": _list_of(Check),
        "filler_capture": FillerCapture.from_json,
    }


@dataclass
class Marker(JsonRecord):
    """A key pressed during a live answer to mark where a part starts."""

    time_s: float = 0.0
    label: str = ""


@dataclass
class FollowUp(JsonRecord):
    """A follow-up question asked after the answer, with its recording."""

    question: str | None = None
    asked_for: str | None = None
    audio: str | None = None
    offset_s: float | None = None  # where it starts on the answer's clock
    audio_start_s: float | None = None  # seconds of its recording skipped (the wait)
    ended_by: str | None = None


UNFINISHED = "unfinished"


@dataclass
class Attempt(JsonRecord):
    """One take at a question as saved in `<story>.attempt-<time>.json`.

    `path`, `busy`, `audio_path` and `orphan` are set by store.load_attempt and never saved.
    """

    format_version: int = 0
    status: str | None = None  # "ok", "no speech detected", "unfinished"
    question_id: str = ""
    question: str | None = None
    principle: str | None = None
    story_file: str | None = None
    created_at: str = ""
    duration_s: float | None = None
    speech_s: float | None = None
    filler_capture_s: float | None = None
    model: str | None = None
    previous_model: str | None = None
    audio: str | None = None
    input: str | None = None
    ended_by: str | None = None
    source_audio: str | None = None
    reanalyzed_at: str | None = None
    words: list[SavedWord] | None = None
    sections: list[SectionRecord] | None = None
    metrics: Metrics | None = None
    feedback: list[str] | None = None
    markers: list[Marker] | None = None
    follow_ups: list[FollowUp] | None = None
    latency: dict[str, float] | None = None
    files: dict[str, str] | None = None

    # Where and how it was found: not part of the file.
    path: str = field(default="", kw_only=True, compare=False)
    busy: bool = field(default=False, kw_only=True, compare=False)
    audio_path: str = field(default="", kw_only=True, compare=False)
    orphan: bool = field(default=False, kw_only=True, compare=False)

    _RUNTIME = frozenset({"path", "busy", "audio_path", "orphan"})
    _INTERNAL = frozenset({"keys", "extra"}) | _RUNTIME
    _DECODE = {
        "sections": _list_of(SectionRecord),
        "metrics": Metrics.from_json,
        "markers": _list_of(Marker),
        "follow_ups": _list_of(FollowUp),
    }

    @property
    def unfinished(self) -> bool:
        return self.status == UNFINISHED

    @property
    def analysed(self) -> bool:
        """True if the record holds an analysis (sections); older ones may have none."""
        return bool(self.sections)

    @property
    def state(self) -> str:
        """The status, or 'ok'/'not analysed' for records written before there was one."""
        return self.status or ("ok" if self.sections else "not analysed")

    @property
    def ok(self) -> bool:
        """Analysed with speech found; True for records from before there was a status."""
        return self.status is None or self.status == "ok"

    @property
    def parts(self) -> list[SectionRecord]:
        return self.sections or []

    @property
    def measured(self) -> Metrics:
        return self.metrics or Metrics()

    @property
    def tips(self) -> list[str]:
        return self.feedback or []

    def section(self, label: str) -> SectionRecord | None:
        return next((s for s in self.parts if s.label == label), None)

    def with_(self, **changes: Any) -> Attempt:
        """A copy with some fields changed (their keys go last when saved, if new)."""
        return replace(self, **changes)
