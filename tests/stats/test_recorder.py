"""The statistics recorder on a real bus and a real counters file."""

from __future__ import annotations

from pathlib import Path

from kiosk.bus import EventBus
from kiosk.events import (
    AssistanceStarted,
    PrinterChanged,
    ProcedureOpened,
    SessionEnded,
    SessionWiped,
)
from kiosk.stats.counters import Counters
from kiosk.stats.recorder import StatsRecorder


def recording(tmp_path: Path) -> tuple[EventBus, StatsRecorder]:
    bus = EventBus()
    recorder = StatsRecorder(Counters(tmp_path / "stats.sqlite"))
    recorder.attach(bus)
    return bus, recorder


def test_wipes_are_counted_verified_or_by_their_first_failure(tmp_path: Path) -> None:
    bus, recorder = recording(tmp_path)
    bus.publish(SessionWiped("button"))
    bus.publish(SessionWiped("idle", ("printing.cancel and purge print jobs",),
                             ("delete_session_dir",)))
    bus.publish(SessionWiped("recheck", (), ("clear_clipboard",)))
    assert recorder.flush()
    stored = recorder.counters.stored()
    assert stored.totals() == {
        ("wipes_verified", ""): 1,
        ("wipes_failed", "printing.cancel_and_purge_print_jobs"): 1,
        ("wipes_failed", "clear_clipboard"): 1,
    }
    assert stored.gauges["last_verified_wipe_timestamp_seconds"] > 0
    recorder.close()


def test_a_tile_counts_for_its_procedure_and_its_partner(tmp_path: Path) -> None:
    bus, recorder = recording(tmp_path)
    bus.publish(ProcedureOpened("caf-rsa", "caf"))
    bus.publish(ProcedureOpened("caf-apl", "caf"))
    assert recorder.flush()
    assert recorder.counters.snapshot() == {
        ("tiles_opened", "caf-rsa"): 1, ("tiles_opened", "caf-apl"): 1,
        ("partner_opened", "caf"): 2}
    recorder.close()


def test_the_printer_gauge_follows_the_printer_once_it_is_known(tmp_path: Path) -> None:
    bus, recorder = recording(tmp_path)
    bus.publish(PrinterChanged("", "unknown", 0, (), False))
    assert recorder.flush()
    assert "printer_up" not in recorder.counters.stored().gauges
    bus.publish(PrinterChanged("office", "", 3, ("none",), False))
    assert recorder.flush()
    assert recorder.counters.stored().gauges["printer_up"] == 1.0
    bus.publish(PrinterChanged("office", "paused", 5, ("paused",), False))
    assert recorder.flush()
    assert recorder.counters.stored().gauges["printer_up"] == 0.0
    recorder.close()


def test_assisted_sessions_count_sessions_never_mediators(tmp_path: Path) -> None:
    bus, recorder = recording(tmp_path)
    bus.publish(AssistanceStarted("Zéphyrine Quatremare"))
    bus.publish(AssistanceStarted("Zéphyrine Quatremare"))  # her PIN again, same session
    bus.publish(AssistanceStarted("Barnabé Oulipo"))  # another takes over, same session
    bus.publish(SessionEnded("button", "5-15min"))
    bus.publish(SessionEnded("idle", "0-5min"))  # a session without assistance
    bus.publish(AssistanceStarted("Barnabé Oulipo"))
    bus.publish(SessionEnded("button", "5-15min"))
    assert recorder.flush()
    recorder.close()

    assert recorder.counters.snapshot()[("assisted_sessions", "")] == 2
    assert recorder.counters.snapshot()[("sessions_total", "")] == 3
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert b"assisted_sessions" in stored  # the search does see what the file holds
    for name in ("Zéphyrine", "Quatremare", "Barnabé", "Oulipo"):
        assert name.encode("utf-8") not in stored
        assert name.encode("utf-16-le") not in stored


def test_uploads_languages_and_the_scanner_gauge_are_recorded(tmp_path: Path) -> None:
    from kiosk.events import FilesUploaded, LanguageChosen, Scanner, ScannersChanged

    bus, recorder = recording(tmp_path)
    bus.publish(FilesUploaded(2))
    bus.publish(LanguageChosen("ar"))
    bus.publish(ScannersChanged((), "unknown"))
    assert recorder.flush()
    assert "scanner_up" not in recorder.counters.stored().gauges  # not looked at yet
    bus.publish(ScannersChanged((Scanner("test:0", "Canon LiDE"),), ""))
    assert recorder.flush()
    assert recorder.counters.stored().gauges["scanner_up"] == 1.0
    bus.publish(ScannersChanged((), "no_scanner"))
    assert recorder.flush()
    stored = recorder.counters.stored()
    assert stored.gauges["scanner_up"] == 0.0
    assert stored.totals() == {("uploads", ""): 2, ("languages_chosen", "ar"): 1}
    recorder.close()
