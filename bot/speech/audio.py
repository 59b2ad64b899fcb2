"""Audio bytes (OGG/Opus voice notes, WAV, MP3, M4A...) -> 16 kHz mono PCM.

PyAV carries its own FFmpeg, so every container and codec FFmpeg knows is
read without system packages. The limits are checked before and while
decoding, so an hour-long upload is refused after reading one second past
the limit, not after decoding it all.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from domain.errors import N_, InvalidInput

SAMPLE_RATE = 16_000  # what Whisper and Vosk's usual models expect


@dataclass(frozen=True, slots=True)
class AudioLimits:
    max_seconds: float = 120.0
    max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Pcm:
    """Signed 16-bit little-endian mono samples at SAMPLE_RATE."""

    samples: np.ndarray  # int16

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def tobytes(self) -> bytes:
        return self.samples.astype("<i2", copy=False).tobytes()


def _not_audio() -> InvalidInput:
    return InvalidInput(N_("That file is not audio I can read. Send a voice note or an audio file (OGG, WAV, MP3...)."))


def _too_long(seconds: float, limit: float) -> InvalidInput:
    return InvalidInput(N_("That recording is too long ({seconds} s; the limit is {limit} s). Please send a shorter one."),
                        seconds=round(seconds), limit=round(limit))


def decode_pcm16k(data: bytes, limits: AudioLimits = AudioLimits()) -> Pcm:
    """Decodes the first audio stream to 16 kHz mono int16.

    Raises InvalidInput when the bytes are empty, too big, not audio, or longer
    than `limits.max_seconds`.
    """
    if not data:
        raise InvalidInput(N_("That recording is empty."))
    if len(data) > limits.max_bytes:
        raise InvalidInput(N_("That recording is too large ({size} MB; the limit is {limit} MB)."),
                           size=round(len(data) / 1_048_576, 1), limit=round(limits.max_bytes / 1_048_576, 1))
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise _not_audio() from exc
    with container:
        if not container.streams.audio:
            raise _not_audio()
        stream = container.streams.audio[0]
        # The container's own idea of its length (microseconds), when it has one.
        if container.duration is not None and container.duration / 1_000_000 > limits.max_seconds + 0.5:
            raise _too_long(container.duration / 1_000_000, limits.max_seconds)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        max_samples = int((limits.max_seconds + 0.5) * SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > max_samples:
                    raise _too_long(total / SAMPLE_RATE, limits.max_seconds)
            for out in resampler.resample(None):  # flush what the resampler holds back
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise _not_audio() from exc
    samples = np.concatenate(chunks).astype(np.int16, copy=False) if chunks else np.zeros(0, np.int16)
    if len(samples) == 0:
        raise _not_audio()
    if len(samples) > max_samples:
        raise _too_long(len(samples) / SAMPLE_RATE, limits.max_seconds)
    return Pcm(samples)


def encode_ogg_opus(data: bytes, bitrate: int = 32_000) -> bytes:
    """Any audio -> OGG/Opus mono 48 kHz, the way Telegram voice notes arrive.

    Used to make test and benchmark voice notes; also fit for sending a voice
    reply.
    """
    out = io.BytesIO()
    with av.open(io.BytesIO(data), mode="r") as src, av.open(out, mode="w", format="ogg") as dst:
        stream = dst.add_stream("libopus", rate=48_000, layout="mono")
        stream.bit_rate = bitrate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in src.decode(src.streams.audio[0]):
            for out_frame in resampler.resample(frame):
                for packet in stream.encode(out_frame):
                    dst.mux(packet)
        for out_frame in resampler.resample(None):
            for packet in stream.encode(out_frame):
                dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out.getvalue()
