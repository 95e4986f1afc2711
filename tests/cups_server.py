"""A private cupsd for the tests: its own configuration, spool, socket and queues.

Tests point libcups at it with $CUPS_SERVER. A queue "office" prints to a PDF file
through CUPS's real filters (page ranges and copies are applied), so a test reads
what came out of the printer with pdfinfo and pdftotext.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import stop_process, wait_for

PDF_PRINTER_PPD = Path("/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd")

CUPSD_CONF = """\
LogLevel info
Listen {root}/run/cups.sock
WebInterface No
Browsing No
DefaultAuthType None
PreserveJobFiles No
PreserveJobHistory No
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
FileDevice Yes
Sandboxing Relaxed
ServerBin {root}/bin
"""

CUPS_SERVER_BIN = Path("/usr/lib/cups")
# A backend that says the device failed: CUPS_BACKEND_FAILED, after a plain message.
FAILING_BACKEND = """#!/bin/sh
[ $# -eq 0 ] && { echo 'direct failing "Unknown" "A printer that always fails"'; exit 0; }
echo "ERROR: the test printer failed" >&2
exit 1
"""
# A printer that runs out of paper as a job starts, and waits for someone to fill it.
NO_PAPER_BACKEND = """#!/bin/sh
[ $# -eq 0 ] && { echo 'direct nopaper "Unknown" "A printer with no paper"'; exit 0; }
echo "STATE: +media-empty-error" >&2
exec sleep 300
"""


@dataclass
class CupsServer:
    root: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.root / "run" / "cups.sock"

    @property
    def spool(self) -> Path:
        return self.root / "spool"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def output(self, queue: str) -> Path:
        """Where the queue `queue` writes what it prints."""
        return self.root / "out" / f"{queue}.pdf"

    def start(self) -> CupsServer:
        for sub in ("spool/tmp", "cache", "state", "log", "run", "out"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._make_server_bin()
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(root=self.root))
        (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
        # cupsd drops to the lp user for filters and backends: they write under out/.
        (self.root / "out").chmod(0o777)
        self.proc = subprocess.Popen(
            ["cupsd", "-f", "-c", str(self.root / "cupsd.conf"),
             "-s", str(self.root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(lambda: self.socket.exists() and self._answers(), timeout=20):
            self.stop()
            raise RuntimeError("the private cupsd did not start:\n" + self.error_log())
        return self

    def _make_server_bin(self) -> None:
        """CUPS's own programs, plus a backend that always fails."""
        bin_dir = self.root / "bin"
        if bin_dir.exists():
            return  # started again after a stop: the same programs
        for entry in CUPS_SERVER_BIN.iterdir():
            if entry.name != "backend":
                (bin_dir / entry.name).parent.mkdir(parents=True, exist_ok=True)
                (bin_dir / entry.name).symlink_to(entry)
        backends = bin_dir / "backend"
        backends.mkdir(mode=0o755)
        for backend in (CUPS_SERVER_BIN / "backend").iterdir():
            (backends / backend.name).symlink_to(backend)
        for name, script in (("failing", FAILING_BACKEND), ("nopaper", NO_PAPER_BACKEND)):
            backend = backends / name
            backend.write_text(script)
            backend.chmod(0o755)

    def stop_service(self) -> None:
        """Stop cupsd as a service manager does (SIGTERM): it writes its jobs to the
        spool, and finds them there when started again (`start`)."""
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(20)
        self.proc = None

    def _answers(self) -> bool:
        return self.run("lpstat", "-r", check=False).returncode == 0

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, env=self.env, capture_output=True, text=True,
                              check=check, timeout=30)

    def add_pdf_queue(self, name: str = "office") -> None:
        self.run("lpadmin", "-p", name, "-E", "-v", f"file://{self.output(name)}",
                 "-P", str(PDF_PRINTER_PPD))

    def add_failing_queue(self, name: str = "broken") -> None:
        """A queue whose device cannot be written: every job on it fails."""
        self.run("lpadmin", "-p", name, "-E", "-v", "failing://test",
                 "-P", str(PDF_PRINTER_PPD), "-o", "printer-error-policy=abort-job")

    def add_paperless_queue(self, name: str = "office") -> None:
        """A printer that says it has no paper once a job reaches it."""
        self.run("lpadmin", "-p", name, "-E", "-v", "nopaper://test",
                 "-P", str(PDF_PRINTER_PPD))

    def add_holding_queue(self, name: str = "office") -> None:
        """A printer that takes jobs and keeps them in the spool, unprinted (as a
        queue whose jobs wait for a release at the printer)."""
        self.add_pdf_queue(name)
        self.run("lpadmin", "-p", name, "-o", "job-hold-until-default=indefinite")

    def pause(self, name: str = "office") -> None:
        self.run("cupsdisable", name)

    def resume(self, name: str = "office") -> None:
        self.run("cupsenable", name)

    def delete_queue(self, name: str = "office") -> None:
        self.run("lpadmin", "-x", name)

    def job_ids(self) -> list[int]:
        """Every job CUPS knows, finished ones included."""
        out = self.run("lpstat", "-W", "all", "-o").stdout
        return [int(line.split()[0].rsplit("-", 1)[1]) for line in out.splitlines() if line]

    def spool_files(self) -> list[str]:
        """Job files (c* control, d* data) left in the spool."""
        return sorted(p.name for p in self.spool.iterdir()
                      if p.is_file() and p.name[:1] in ("c", "d"))

    def page_log(self) -> str:
        path = self.root / "log" / "page_log"
        return path.read_text(errors="replace") if path.exists() else ""

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextlib.contextmanager
def cups_server() -> Iterator[CupsServer]:
    """A started private cupsd, stopped and removed afterwards.

    Its folder is not under pytest's own (mode 0700): CUPS runs its filters as
    the lp user, which must reach the spooled files and the queue's PPD.
    """
    root = Path(tempfile.mkdtemp(prefix="borne-cups-"))
    root.chmod(0o755)
    server = CupsServer(root)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def text_pdf(path: Path, pages: list[str]) -> Path:
    """A small PDF with one line of text on each A4 page (readable by pdftotext)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        stream = f"BT /F1 24 Tf 72 760 Td ({text}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Contents {page_number + 1} 0 R "
                       f"/Resources << /Font << /F1 {3 + 2 * len(pages)} 0 R >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{content}\nendobj\n".encode("latin-1")
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
             f"startxref\n{xref}\n%%EOF\n").encode()
    path.write_bytes(body)
    return path

