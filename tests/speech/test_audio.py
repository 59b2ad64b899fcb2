import io
import math

import av
import numpy as np
import pytest

from bot.speech.audio import SAMPLE_RATE, AudioLimits, decode_pcm16k, encode_ogg_opus
from domain.errors import InvalidInput

from .conftest import needs_espeak, spoken_wav, voice_note


def tone(seconds: float, codec: str, fmt: str, rate: int = 44_100, channels: str = "stereo") -> bytes:
    """A 440 Hz tone encoded with PyAV: stands for an uploaded audio file."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as dst:
        stream = dst.add_stream(codec, rate=rate, layout=channels)
        n = int(seconds * rate)
        wave = (np.sin(2 * math.pi * 440 * np.arange(n) / rate) * 8000).astype(np.int16)
        planes = np.tile(wave, (2 if channels == "stereo" else 1, 1))
        frame_fmt = "s16p" if codec != "pcm_s16le" else "s16"
        if frame_fmt == "s16":
            planes = planes.T.reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(planes, format=frame_fmt, layout=channels)
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out.getvalue()


@needs_espeak
def test_telegram_voice_note_decodes_to_16k_mono():
    note = voice_note("received fifty widgets")
    assert note[:4] == b"OggS"
    with av.open(io.BytesIO(note)) as c:
        assert c.streams.audio[0].codec_context.name == "opus"
    pcm = decode_pcm16k(note)
    wav_seconds = decode_pcm16k(spoken_wav("received fifty widgets")).seconds
    assert pcm.samples.dtype == np.int16
    assert abs(pcm.seconds - wav_seconds) < 0.1  # same speech, same length, whatever the container
    assert np.abs(pcm.samples).max() > 1000  # not silence


@pytest.mark.parametrize("codec, fmt", [("pcm_s16le", "wav"), ("libmp3lame", "mp3"), ("flac", "flac")])
def test_audio_files_decode(codec, fmt):
    pcm = decode_pcm16k(tone(1.5, codec, fmt))
    assert pcm.seconds == pytest.approx(1.5, abs=0.1)
    assert len(pcm.tobytes()) == 2 * len(pcm.samples)


@pytest.mark.parametrize("data", [b"hello, this is text", b"\x00" * 4096, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100])
def test_not_audio_is_a_clear_error(data):
    with pytest.raises(InvalidInput, match="not audio"):
        decode_pcm16k(data)


def test_empty_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        decode_pcm16k(b"")


def test_too_long_is_refused():
    with pytest.raises(InvalidInput, match=r"too long \(3 s; the limit is 2 s\)"):
        decode_pcm16k(tone(3, "pcm_s16le", "wav"), AudioLimits(max_seconds=2))
    assert decode_pcm16k(tone(1.8, "pcm_s16le", "wav"), AudioLimits(max_seconds=2)).seconds == pytest.approx(1.8, abs=0.05)


def streamed_webm(wav: bytes) -> bytes:
    """WebM/Opus written to a non-seekable sink, as browsers record: no duration in the header."""
    class Sink:
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, chunk: bytes) -> int:
            self.data += chunk
            return len(chunk)

    sink = Sink()
    with av.open(io.BytesIO(wav)) as src, av.open(sink, mode="w", format="webm") as dst:
        stream = dst.add_stream("libopus", rate=48_000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in src.decode(audio=0):
            for out in resampler.resample(frame):
                for packet in stream.encode(out):
                    dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return bytes(sink.data)


def test_too_long_without_a_declared_duration_is_refused_while_decoding():
    data = streamed_webm(tone(3, "pcm_s16le", "wav"))
    with av.open(io.BytesIO(data)) as c:
        assert c.duration is None  # the header check cannot catch it
    assert decode_pcm16k(data).seconds == pytest.approx(3, abs=0.1)
    with pytest.raises(InvalidInput, match="too long"):
        decode_pcm16k(data, AudioLimits(max_seconds=1))


def test_too_large_is_refused():
    with pytest.raises(InvalidInput, match="too large"):
        decode_pcm16k(tone(1, "pcm_s16le", "wav"), AudioLimits(max_bytes=1000))
