"""One engine of python -m bench.speech, in a process of its own (spawned: its own load time and peak memory)."""
from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(name: str, root: str, notes: list[dict], vocabulary: list[str], queue) -> None:
    """In a fresh process: load the engine, transcribe every note it has a model for."""
    from bot.speech.audio import decode_pcm16k
    from domain.speech import SpeechUnavailable

    rss_before = _rss_mb()
    started = time.perf_counter()
    if name == "whisper":
        from bot.settings import load_settings
        from bot.speech.registry import speech_to_text

        router = speech_to_text(load_settings())
        langs = set(router.languages())
        load_seconds = router.warm_up("en")
        engine_for = router.engine_for
    else:
        from bench.speech.baselines.pocketsphinx_stt import PocketsphinxSpeechToText

        cache = tempfile.mkdtemp(prefix="qm-ps-")
        engine = PocketsphinxSpeechToText(domain_bias=name == "pocketsphinx", cache_dir=Path(cache))
        engine.warm_up(vocabulary)
        langs = {"en"}
        load_seconds = time.perf_counter() - started
        engine_for = lambda _lang: engine  # noqa: E731
    score = None
    if name == "whisper":  # as the bot does for a free note: the parser judges the hearings (speech.whisper.rescue_below)
        from nlu import parse

        def score(text: str, _lang: str = "en") -> float:
            return float(parse(text, lang=_lang).confidence) if text.strip() else 0.0

        score("warm up")  # the parser's load is not the first note's recognition time
    results = []
    for note in notes:
        if note["lang"] not in langs:
            continue
        pcm = decode_pcm16k((Path(root) / note["file"]).read_bytes())
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            kwargs = {"score": lambda text, lang=note["lang"]: score(text, lang)} if score else {}
            t = engine_for(note["lang"]).transcribe_pcm(pcm, lang=note["lang"], vocabulary=vocabulary, **kwargs)
        except SpeechUnavailable as exc:
            results.append({"file": note["file"], "error": exc.render()})
            continue
        results.append({"file": note["file"], "text": t.text, "raw": t.raw_text, "unsure": list(getattr(t, "unsure", ())),
                        "seconds_audio": pcm.seconds, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})
    queue.put({"engine": name, "langs": sorted(langs), "load_seconds": load_seconds, "rss_mb": _rss_mb(),
               "rss_before_mb": rss_before, "results": results})
