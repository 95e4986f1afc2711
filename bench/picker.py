"""The document picker with 20 documents and their thumbnails, beside bare Tk.

In a process of its own on a private X screen: the kiosk's app on the sample
profile, a procedure "open" (the browser stood in for: only the shell is
measured), 20 documents in the session (10 PDFs, 10 photos) whose thumbnails the
kiosk's Thumbnailer code made. Each round: the page asks for a file, and the clock
runs until the picker with its 20 rows and pictures is drawn (Tk idle); then
Escape's answer closes it.

The reference, in the same process: a bare Tk frame with 20 plain buttons showing
the same 20 pictures and names, from nothing to drawn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from bench.common import REPO, summary, x_screen

ROUNDS = 15
DOCUMENTS = 20

MEASURE = """
import json, sys, time, tkinter as tk
from pathlib import Path
sys.path.insert(0, sys.argv[2] + "/tests")
from PIL import Image
from cups_server import text_pdf
from harness import SAMPLE_PROFILE
from tk_helpers import QuietControl
from kiosk.app import KioskApp
from kiosk.bus import EventBus
from kiosk.config.load import load_profile
from kiosk.events import Document, DocumentAdded, FileChooserOpened
from kiosk.session import flow as f
from kiosk.session.thumbnails import make_thumbnail, thumbnail_path

folder = Path(sys.argv[1])
rounds, count = int(sys.argv[3]), int(sys.argv[4])
documents, making = [], []
for index in range(count):
    if index % 2:
        path = folder / f"photo-{index}.jpg"
        Image.new("RGB", (1600, 1200), (20 * (index % 10), 90, 160)).save(path, "JPEG")
    else:
        path = text_pdf(folder / f"attestation-{index}.pdf", [f"Attestation {index}"])
    begin = time.perf_counter()
    make_thumbnail(path)
    making.append(time.perf_counter() - begin)
    documents.append(Document(path.name, path, "download", float(index)))

root = tk.Tk()
app = KioskApp(root, EventBus(), load_profile(SAMPLE_PROFILE), fullscreen=False,
               size=(1280, 1024))
app.controller = QuietControl()
app.feed(f.OpenProcedure("caf"))
for document in documents:
    app.feed(DocumentAdded(document))
root.update()

picker = []
for _ in range(rounds):
    begin = time.perf_counter()
    app.feed(FileChooserOpened(multiple=False))
    root.update_idletasks()
    picker.append(time.perf_counter() - begin)
    assert app.shell.current is not None and app.shell.current.name == "picker"
    assert len(app.shell.current.order) >= count
    app.feed(f.CancelPicker())
    root.update()

bare = []
for _ in range(rounds):
    begin = time.perf_counter()
    frame = tk.Frame(root)
    frame.place(x=0, y=0, width=1280, height=1024)
    for document in documents:
        picture = tk.PhotoImage(master=frame, file=str(thumbnail_path(document.path)))
        button = tk.Button(frame, text=document.name, image=picture, compound="left",
                           anchor="w")
        button.picture = picture
        button.pack(side="top", fill="x")
    root.update_idletasks()
    bare.append(time.perf_counter() - begin)
    frame.destroy()
    root.update()
print(json.dumps({"picker": picker, "bare": bare, "making": making}))
"""


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="borne-bench-picker-") as tmp, \
            x_screen(1280, 1024) as screen:
        env = {**os.environ, "DISPLAY": screen.display, "KIOSK_STATE_DIR": tmp + "/state",
               "KIOSK_SESSION_ROOT": tmp + "/sessions"}
        done = subprocess.run([sys.executable, "-c", MEASURE, tmp, str(REPO), str(ROUNDS),
                               str(DOCUMENTS)], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the picker measure failed: {done.stderr.strip()[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    picker, bare, making = (summary(figures[k]) for k in ("picker", "bare", "making"))
    return {"documents": DOCUMENTS, "rounds": ROUNDS, "picker_s": picker, "bare_tk_s": bare,
            "ratio": picker["median"] / bare["median"], "thumbnail_s": making}


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    picker, bare = results["picker_s"], results["bare_tk_s"]
    return [
        (f"picker with {results['documents']} thumbnails drawn (median)",
         f"{picker['median']:.3f} s", "<= 0.3 s"),
        ("bare Tk, same rows and pictures (median)", f"{bare['median']:.3f} s", "reference"),
        ("picker / bare Tk", f"{results['ratio']:.1f}x", ""),
        ("one thumbnail made (median, PDF or photo)",
         f"{results['thumbnail_s']['median']:.3f} s", "on a worker"),
    ]

