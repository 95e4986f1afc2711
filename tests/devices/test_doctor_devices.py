"""`kiosk doctor` lists the scanners and printers udev and SANE see, and says when
there are none: run in a umockdev testbed, with SANE's test backend alone."""

from __future__ import annotations

from pathlib import Path

from device_bed import device_bed
from kiosk_process import line_of, run_doctor


def sane_with_the_test_backend(tmp_path: Path) -> str:
    config = tmp_path / "sane"
    config.mkdir()
    (config / "dll.conf").write_text("test\n", encoding="utf-8")
    return str(config)


def test_the_doctor_names_the_scanner_and_printer_plugged_in(tmp_path: Path) -> None:
    with device_bed() as bed:
        for name in ("scanner", "printer", "usb-stick"):
            bed.load(name)
        result = run_doctor(tmp_path, wrapper=("umockdev-wrapper",), **bed.env(),
                            SANE_CONFIG_DIR=sane_with_the_test_backend(tmp_path))
    scanners = line_of(result.stdout, "scanners")
    assert scanners.startswith("OK") and "udev: Canon, Inc. CanoScan LiDE 300" in scanners
    assert "SANE: test:0 (Noname frontend-tester virtual device)" in scanners
    assert line_of(result.stdout, "usb-printers") == (
        "OK    usb-printers HP, Inc HP LaserJet P2055")


def test_the_doctor_says_plainly_when_there_is_none(tmp_path: Path) -> None:
    empty = tmp_path / "sane"
    empty.mkdir()
    (empty / "dll.conf").write_text("", encoding="utf-8")
    with device_bed() as bed:
        bed.load("usb-stick")  # a USB key is neither
        result = run_doctor(tmp_path, wrapper=("umockdev-wrapper",), **bed.env(),
                            SANE_CONFIG_DIR=str(empty))
    scanners = line_of(result.stdout, "scanners")
    assert scanners.startswith("WARN  scanners     none: udev sees no USB scanner; SANE "
                               "lists none")
    assert "-> plug the scanner in" in scanners
    assert "none: udev sees no USB printer" in line_of(result.stdout, "usb-printers")
