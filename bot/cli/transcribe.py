"""qm transcribe AUDIO [--lang xx] [--engine NAME]: speech-to-text of a voice
note or audio file, printed as one JSON line:
{"file", "lang", "engine", "text", "seconds_audio", "seconds_taken"}."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("transcribe", help="speech-to-text of a voice note or audio file (one JSON line)")
    p.add_argument("audio", metavar="AUDIO", help="OGG/Opus, WAV, MP3... file")
    p.add_argument("--lang", default=None, help="language code (en, ru, ...); default: company.language")
    p.add_argument("--engine", default=None, help="whisper or vosk; default: the model configured for the language (speech.models in config.yaml)")
    p.add_argument("--vocab", action="append", default=[], metavar="NAME",
                   help="a name to expect (customer, product...); repeatable")
    p.add_argument("--vocab-file", type=Path, default=None, help="file with one name per line to expect")
    p.add_argument("--db", action="store_true", help="also expect the customer, supplier, product and user names in the database")
    p.set_defaults(func=transcribe)


async def transcribe(args) -> int:
    from bot.settings import load_settings
    from bot.speech.registry import speech_to_text
    from domain.errors import DomainError

    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's message names the bad key
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    path = Path(args.audio)
    try:
        audio = path.read_bytes()
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    vocabulary = list(args.vocab)
    if args.vocab_file is not None:
        vocabulary += [ln.strip() for ln in args.vocab_file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    # names given here are expected (Whisper's prompt); the database's put misheard names right
    expected, vocabulary = vocabulary, (await _database_names(settings) if args.db else [])
    try:
        stt = speech_to_text(settings, args.engine)
    except DomainError as exc:  # unknown engine name
        print(exc.render(), file=sys.stderr)
        return 2
    except ValueError as exc:  # the speech: section does not validate
        print(f"configuration error in speech: {exc}", file=sys.stderr)
        return 2
    try:
        result = stt.transcribe(audio, lang=args.lang, vocabulary=vocabulary, expected=expected)
    except DomainError as exc:
        print(exc.render(), file=sys.stderr)
        return 1
    print(json.dumps({"file": str(path), "lang": result.lang, "engine": result.engine, "text": result.text,
                      "seconds_audio": result.seconds_audio, "seconds_taken": result.seconds_taken},
                     ensure_ascii=False), flush=True)
    return 0


async def _database_names(settings) -> list[str]:
    from bot.speech.vocabulary import speech_vocabulary

    from ..app import command_services

    async with command_services(settings) as services, services.uow() as uow:
        return await speech_vocabulary(uow.session)
