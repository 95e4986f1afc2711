"""Read aloud through the real espeak-ng: spoken (as WAV files) in each language,
cut off by the next text, and silenced at the wipe."""

from __future__ import annotations

import array
import math
import queue
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import wait_for

from kiosk.bus import EventBus
from kiosk.devices.speech import SpeechParticipant, SpeechService, WavSink, voice_for
from kiosk.events import SpeechAsked
from kiosk.session.wipe import run_wipe

# Sentences of about the same length in each language, and a longer text.
SHORT = {"fr": "Bonjour.", "en": "Hello.", "es": "Hola.", "ar": "مرحبا."}
LONG = {
    "fr": "Bonjour. Choisissez ce que vous voulez faire. Chaque bouton ouvre le site "
          "officiel. Une personne peut vous aider à l'accueil.",
    "en": "Hello. Choose what you want to do. Each button opens the official website. "
          "A person can help you at the desk.",
    "es": "Hola. Elija lo que quiere hacer. Cada botón abre el sitio oficial. Una "
          "persona puede ayudarle en el mostrador.",
    "ar": "مرحبا. اختر ما تريد أن تفعله. كل زر يفتح الموقع الرسمي. يمكن لشخص أن "
          "يساعدك في مكتب الاستقبال.",
}
# Full scale is 32767; espeak-ng's speech sits well above this, silence at 0.
SPEECH_RMS = 500.0

Outcomes = queue.SimpleQueue[tuple[str, int, int]]


def rms_and_seconds(path: Path) -> tuple[float, float]:
    with wave.open(str(path), "rb") as audio:
        assert audio.getsampwidth() == 2 and audio.getnchannels() == 1
        samples = array.array("h", audio.readframes(audio.getnframes()))
        seconds = audio.getnframes() / audio.getframerate()
    if not samples:
        return 0.0, seconds
    return math.sqrt(sum(s * s for s in samples) / len(samples)), seconds


@pytest.fixture
def outcomes() -> Outcomes:
    return queue.SimpleQueue()


@pytest.fixture
def service(tmp_path: Path, outcomes: Outcomes) -> Iterator[SpeechService]:
    made = SpeechService(WavSink(tmp_path / "speech"),
                         listener=lambda *outcome: outcomes.put(outcome))
    made.start()
    yield made
    made.close()


def next_outcome(outcomes: Outcomes, wanted: str, number: int) -> tuple[str, int, int]:
    """The next `wanted` outcome of text `number` (others are passed over)."""
    while True:
        outcome = outcomes.get(timeout=30)
        if outcome[0] == wanted and outcome[1] == number:
            return outcome


def wav_of(folder: Path, number: int, language: str) -> Path:
    path = folder / f"{number:04d}-{language}.wav"
    assert wait_for(path.exists, 30), f"no speech in {path.name}"
    return path


@pytest.mark.parametrize("language", ["fr", "en", "es", "ar"])
def test_each_language_is_spoken_and_a_longer_text_takes_longer(
        service: SpeechService, tmp_path: Path, language: str) -> None:
    short = wav_of(tmp_path / "speech", service.say(SHORT[language], language), language)
    long = wav_of(tmp_path / "speech", service.say(LONG[language], language), language)
    short_rms, short_seconds = rms_and_seconds(short)
    long_rms, long_seconds = rms_and_seconds(long)
    assert short_rms > SPEECH_RMS and long_rms > SPEECH_RMS
    assert 0.3 < short_seconds < 3.0
    assert long_seconds > short_seconds * 3
    assert (tmp_path / "speech" / f"{short.stem}.txt").read_text(encoding="utf-8") == \
        SHORT[language]


def test_each_language_has_its_own_voice_and_others_are_read_in_french() -> None:
    assert [voice_for(lang) for lang in ("fr", "en", "es", "ar")] == \
        ["fr-fr", "en-gb", "es", "ar"]
    assert voice_for("de") == voice_for("fr") and voice_for("en-US") == "en-gb"


def test_a_new_text_cuts_off_the_one_being_said(tmp_path: Path, outcomes: Outcomes) -> None:
    # At a sound card's pace, the long text takes many seconds to say.
    service = SpeechService(WavSink(tmp_path / "speech", realtime=True),
                            listener=lambda *outcome: outcomes.put(outcome))
    service.start()
    try:
        first = service.say(" ".join([LONG["en"]] * 4), "en")
        next_outcome(outcomes, "started", first)
        second = service.say(SHORT["fr"], "fr")
        _, _, code = next_outcome(outcomes, "ended", first)
        assert code < 0, "the first text was said to its end instead of being cut off"
        _, _, second_code = next_outcome(outcomes, "ended", second)
        assert second_code == 0
        assert rms_and_seconds(wav_of(tmp_path / "speech", second, "fr"))[0] > SPEECH_RMS
        assert not (tmp_path / "speech" / f"{first:04d}-en.wav").exists()  # cut short
    finally:
        service.close()


def test_the_wipe_silences_and_turns_read_aloud_off(tmp_path: Path,
                                                    outcomes: Outcomes) -> None:
    service = SpeechService(WavSink(tmp_path / "speech", realtime=True),
                            listener=lambda *outcome: outcomes.put(outcome))
    service.start()
    bus = EventBus()
    participant = SpeechParticipant(service, bus)
    try:
        participant.toggle("fr")
        assert participant.on
        bus.publish(SpeechAsked(" ".join([LONG["fr"]] * 4), "fr"))
        while (outcome := outcomes.get(timeout=30))[0] != "started" or outcome[1] < 2:
            pass  # the first is "Read aloud is on."; the long text is the second
        report = run_wipe(participant.wipe_steps())
        assert report.ok
        assert not participant.on
        ended = next_outcome(outcomes, "ended", outcome[1])
        assert ended[2] < 0, "the wipe let the text be said to its end"
    finally:
        participant.close()


def test_without_espeak_ng_read_aloud_is_not_offered(tmp_path: Path) -> None:
    service = SpeechService(WavSink(tmp_path), program="no-such-espeak")
    participant = SpeechParticipant(service, EventBus())
    (item,) = participant.toolbar_items()
    assert not item.availability().visible
    participant.toggle("fr")
    assert not participant.on
