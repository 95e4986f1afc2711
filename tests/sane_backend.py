"""A private SANE set-up for the tests: only the `test` backend, configured per test.

`SANE_CONFIG_DIR` pointed at the folder makes libsane load only what its dll.conf
lists (the `test` backend: two fake scanners, test:0 and test:1), so `scanimage -L`
answers in milliseconds instead of probing every backend, and never finds a real
scanner of the machine. The backend's own file (test.conf) sets the picture it
scans, how slowly it sends it, and the SANE status it fails with.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Pictures with something on them (a solid one is a blank page to the kiosk).
PATTERN = "Color pattern"
GRID = "Grid"
WHITE = "Solid white"


@dataclass
class SaneSetup:
    folder: Path

    @property
    def env(self) -> dict[str, str]:
        return {"SANE_CONFIG_DIR": str(self.folder)}

    def configure(self, picture: str = PATTERN, delay_us: int = 0, fail_with: str = "",
                  devices: int = 2) -> None:
        """Write the test backend's settings (read at each scanimage start)."""
        lines = [f"number_of_devices {devices}", f'test-picture "{picture}"']
        if delay_us:
            # A pause after each buffer: a scan long enough to be cancelled.
            lines += ["read-limit true", "read-limit-size 4096", "read-delay true",
                      f"read-delay-duration {delay_us}"]
        if fail_with:
            lines.append(f'read-status-code "{fail_with}"')
        (self.folder / "test.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def without_scanners(self) -> None:
        (self.folder / "dll.conf").write_text("", encoding="utf-8")

    def with_scanners(self) -> None:
        (self.folder / "dll.conf").write_text("test\n", encoding="utf-8")


@contextlib.contextmanager
def sane_setup() -> Iterator[SaneSetup]:
    with tempfile.TemporaryDirectory(prefix="borne-sane-") as folder:
        setup = SaneSetup(Path(folder))
        # Readable by the production mode's unprivileged kiosk user (nothing secret here).
        setup.folder.chmod(0o755)
        setup.with_scanners()
        setup.configure()
        yield setup
