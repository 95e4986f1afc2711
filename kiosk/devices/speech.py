"""Self-voicing: the shell's words spoken through espeak-ng, on one worker thread.

Reading aloud is for residents who see badly or read badly. It must never make
the screen wait, and what is said must follow the resident: a new focus or a new
screen cuts off whatever is being said. So `say` only kills the running
espeak-ng (its whole process group, in case a player runs beside it) and leaves
the new text to the worker, which starts one espeak-ng per text.

Where the sound goes:
- the terminal's sound card, through espeak-ng's own audio output (pcaudiolib:
  PulseAudio when it runs, else ALSA's default device);
- or WAV files in a folder (KIOSK_SPEECH_WAV_DIR), played into a file at the
  speed of a sound card when asked: for tests and for IT staff checking a
  terminal without speakers.

espeak-ng missing: logged once, and Read aloud is not offered. The sound card
failing: logged once (espeak-ng then says why on its error output, yet exits 0),
and Read aloud says it is unavailable. What is spoken is never logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import unicodedata
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kiosk.bus import EventBus
from kiosk.events import SelfVoicingChanged, SpeechAsked
from kiosk.i18n import _, gettext_for
from kiosk.session.participant import ALWAYS, Availability, SessionInfo, ToolbarItem
from kiosk.session.wipe import WipeStep

log = logging.getLogger(__name__)

# Our language codes -> espeak-ng's voices; any other language is read in French,
# the terminal's reference language.
VOICES = {"fr": "fr-fr", "en": "en-gb", "es": "es", "ar": "ar"}
DEFAULT_VOICE = VOICES["fr"]
# Words a minute: espeak-ng's default is 175; a little slower is easier to follow.
RATE_WPM = 150
WAV_HEADER_BYTES = 44  # espeak-ng --stdout writes a plain 44-byte RIFF header
CHUNK_BYTES = 4096
STOP_TIMEOUT_S = 5.0

Outcome = Literal["started", "ended"]
Listener = Callable[[Outcome, int, int], None]  # (outcome, utterance number, return code)


def voice_for(language: str) -> str:
    """The espeak-ng voice for one of our language codes ("fr", "en-GB"...)."""
    return VOICES.get(language.split("-")[0].split("_")[0].lower(), DEFAULT_VOICE)


def spoken_form(text: str) -> str:
    """`text` as it should be read: without the pictograms drawn on buttons (an arrow,
    a house), which espeak-ng would spell out or skip unevenly, and on one line."""
    kept = "".join(" " if unicodedata.category(char) in ("So", "Sm") else char
                   for char in text)
    return " ".join(kept.split())


@dataclass(frozen=True)
class WavSink:
    """Speech written as WAV files into `directory` instead of the sound card.

    Each text gives `NNNN-<language>.wav`, renamed into place once whole, and
    `NNNN-<language>.txt` with the words. `realtime`: the audio is taken at the pace
    a sound card plays it, so that a text takes as long to "say" as to hear.
    """

    directory: Path
    realtime: bool = False


@dataclass(frozen=True)
class _Request:
    number: int
    text: str
    language: str


class SpeechService:
    """Speaks one text at a time; a new text or `stop` cuts off the one being spoken."""

    def __init__(self, sink: WavSink | None = None, program: str = "espeak-ng",
                 listener: Listener | None = None) -> None:
        self._sink = sink
        self._program = shutil.which(program)
        self._listener = listener
        self._inbox: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._latest = 0  # the number of the last text asked for; older ones are dropped
        self._running: subprocess.Popen[bytes] | None = None
        self._audio_failed = False
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        if self._program is None:
            log.warning("speech: %s is not installed; Read aloud is not offered", program)

    @property
    def installed(self) -> bool:
        """Whether espeak-ng is there (Read aloud is offered only then)."""
        return self._program is not None

    @property
    def working(self) -> bool:
        """Installed, and its sound output has not failed."""
        return self.installed and not self._audio_failed

    def start(self) -> None:
        if self.installed:
            self._thread.start()

    def say(self, text: str, language: str) -> int:
        """Cut off what is being said and say `text` in `language`; returns its number.

        From any thread, never waits: the running espeak-ng is only sent a signal.
        """
        words = spoken_form(text)
        with self._lock:
            self._latest += 1
            number = self._latest
            self._interrupt_locked()
        if words and self.working:
            self._inbox.put(_Request(number, words, language))
        return number

    def stop(self) -> None:
        """Say nothing more: what is being said is cut off, what was asked is dropped."""
        with self._lock:
            self._latest += 1
            self._interrupt_locked()

    def stop_and_wait(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """`stop`, then wait until espeak-ng has ended (a wipe step: off the Tk thread)."""
        self.stop()
        deadline = time.monotonic() + timeout
        while not self.silent():
            if time.monotonic() >= deadline:
                raise TimeoutError("espeak-ng did not stop")
            time.sleep(0.01)

    def close(self) -> None:
        self.stop()
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(STOP_TIMEOUT_S)

    def silent(self) -> bool:
        """Whether nothing is being spoken now (the wipe's check)."""
        with self._lock:
            return self._running is None or self._running.poll() is not None

    # -- the worker ------------------------------------------------------------------

    def _interrupt_locked(self) -> None:
        process = self._running
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it had just finished
                os.killpg(process.pid, signal.SIGTERM)

    def _run(self) -> None:
        while (request := self._inbox.get()) is not None:
            if request.number != self._latest:
                continue  # a newer text was asked for meanwhile
            try:
                self._speak(request)
            except Exception:
                log.exception("speech: espeak-ng could not be run")

    def _command(self, request: _Request) -> list[str]:
        assert self._program is not None
        command = [self._program, "-v", voice_for(request.language), "-s", str(RATE_WPM),
                   "-b", "1", "--stdin"]
        return [*command, "--stdout"] if self._sink is not None else command

    def _speak(self, request: _Request) -> None:
        # A group of its own, so that the signal reaches anything espeak-ng starts.
        process = subprocess.Popen(
            self._command(request), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if self._sink is not None else subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        with self._lock:
            self._running = process
            if request.number != self._latest:  # asked to stop while it started
                self._interrupt_locked()
        self._tell("started", request.number, 0)
        try:
            if self._sink is not None:
                self._write_wav(process, request, self._sink)
                errors = b""
            else:
                _out, errors = process.communicate(request.text.encode("utf-8"))
        finally:
            code = process.wait()
            with self._lock:
                if self._running is process:
                    self._running = None
        self._check_audio(code, errors)
        self._tell("ended", request.number, code)

    def _write_wav(self, process: subprocess.Popen[bytes], request: _Request,
                   sink: WavSink) -> None:
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(request.text.encode("utf-8"))
            process.stdin.close()
        except BrokenPipeError:
            return  # already cut off
        header = process.stdout.read(WAV_HEADER_BYTES)
        if len(header) < WAV_HEADER_BYTES:
            return
        rate = int.from_bytes(header[24:28], "little")
        sink.directory.mkdir(parents=True, exist_ok=True)
        stem = sink.directory / f"{request.number:04d}-{request.language}"
        partial = stem.with_suffix(".partial")
        started = time.monotonic()
        written = 0
        with wave.open(str(partial), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            while chunk := process.stdout.read(CHUNK_BYTES):
                out.writeframes(chunk)
                written += len(chunk)
                if sink.realtime:  # as a sound card would: no faster than it plays
                    ahead = written / (rate * 2) - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        if process.wait() == 0:
            stem.with_suffix(".txt").write_text(request.text, encoding="utf-8")
            partial.rename(stem.with_suffix(".wav"))
        else:
            partial.unlink(missing_ok=True)

    def _check_audio(self, code: int, errors: bytes) -> None:
        """espeak-ng exits 0 even when no sound card answers: what it says on its error
        output tells. Logged once for IT staff; Read aloud then says it is unavailable."""
        if code < 0 or (code == 0 and not errors.strip()):
            return  # cut off on purpose, or spoken
        if not self._audio_failed:
            first_line = errors.decode("utf-8", "replace").strip().splitlines()[:1]
            log.warning("speech: the sound output failed (exit %d: %s); Read aloud is "
                        "unavailable", code, first_line[0] if first_line else "no message")
        self._audio_failed = True

    def _tell(self, outcome: Outcome, number: int, code: int) -> None:
        if self._listener is not None:
            self._listener(outcome, number, code)


def speech_sink_from_settings() -> WavSink | None:
    """The WAV folder when KIOSK_SPEECH_WAV_DIR sets one, else the sound card."""
    from kiosk import settings

    folder = settings.current().speech_wav_dir
    return WavSink(folder) if folder is not None else None


class SpeechParticipant:
    """Read aloud in a resident's session: the toggle, and silence at the wipe.

    The shell asks for words through the bus (SpeechAsked) whatever the toggle;
    they are spoken only while the resident has Read aloud on. The wipe stops the
    voice and turns Read aloud off: the next resident starts as everybody does.
    """

    name = "speech"

    def __init__(self, service: SpeechService, bus: EventBus) -> None:
        self.service = service
        self.bus = bus
        self._on = threading.Event()
        # On the publishing thread (Tk): `say` only signals and queues.
        bus.subscribe_now(SpeechAsked, self._on_asked)

    @property
    def on(self) -> bool:
        return self._on.is_set()

    def begin(self, session: SessionInfo) -> None:
        pass

    def toggle(self, language: str) -> None:
        """Read aloud on or off (the resident's button); says so when turned on."""
        if self.on:
            self._on.clear()
            self.service.stop()
        elif self.service.working:
            self._on.set()
            self.service.say(gettext_for(language, "Read aloud is on."), language)
        log.info("speech: read aloud %s", "on" if self.on else "off")
        self.bus.publish(SelfVoicingChanged(self.on))

    def toolbar_items(self) -> Sequence[ToolbarItem]:
        from kiosk.i18n import current_language

        return (ToolbarItem("speech", self.label, "🔊",
                            lambda: self.toggle(current_language()),
                            availability=self._availability, pressed=lambda: self.on),)

    def label(self) -> str:
        """The toggle's words, saying its state."""
        return _("Read aloud: on") if self.on else _("Read aloud: off")

    def _availability(self) -> Availability:
        if not self.service.installed:
            return Availability(visible=False)
        if not self.service.working:
            return Availability(why_unavailable=_(
                "Reading aloud is not working at this terminal. Please ask at the desk: "
                "someone will read with you."))
        return ALWAYS

    def wipe_steps(self) -> Sequence[WipeStep]:
        return (WipeStep("stop reading aloud", self._silence, verify=self._silenced),)

    def close(self) -> None:
        self.service.close()

    def _silence(self) -> None:
        self._on.clear()
        self.service.stop_and_wait()
        self.bus.publish(SelfVoicingChanged(False))

    def _silenced(self) -> bool:
        return not self.on and self.service.silent()

    def _on_asked(self, event: SpeechAsked) -> None:
        if self.on:
            self.service.say(event.text, event.language)
