"""The document picker: the kiosk's answer when a page asks for a file.

It lists only this session's documents that the site accepts, newest first,
with the keyboard on the newest. With one file asked for, Return (or a tap)
on a document sends it; when the site takes several, Return ticks documents
and "Send" sends the ticked ones. Escape or Cancel sends nothing. The real
file system is never shown.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.events import Document
from kiosk.i18n import _, ngettext
from kiosk.session.documents import describe_accept
from kiosk.session.thumbnails import existing_thumbnail
from kiosk.ui.screen import ScreenParts
from kiosk.ui.widgets import Look, ScrollArea, button, frame, label, show_text

KIND_SYMBOL = {"download": "⬇", "scan": "▤", "usb": "▭"}
TICKED, UNTICKED = "☑", "☐"


def kind_caption(document: Document) -> str:
    if document.kind == "usb" and document.origin:
        return _("from your USB key “%(name)s”") % {"name": document.origin}
    # Translators: where a document came from, shown after its name (downloaded, scanned).
    return {"download": _("downloaded"), "scan": _("scanned"),
            "usb": _("from your USB key")}.get(document.kind, "")


def build_picker(
    parent: tk.Frame, look: Look, documents: Sequence[Document], *, multiple: bool,
    accept: Sequence[str], left_out: int, send: Callable[[tuple[Path, ...]], None],
    cancel: Callable[[], None], ticked: set[Path] | None = None,
    scan: Callable[[], None] | None = None,
) -> ScreenParts:
    """The picker over the page (see the module's docstring).

    `ticked` carries the resident's ticks over when the picker is drawn again (a
    download finished while it was open). `scan`, when given, is "Scan a document":
    the scan comes straight back to the page.
    """
    p, m = look.palette, look.metrics
    page = frame(parent, p.background, padx=m.pad * 6)
    title = (_("Choose the documents to send to the website") if multiple
             else _("Choose a document to send to the website"))
    label(page, look, title, font=m.title_font, fg=p.accent,
          wraplength=int(m.width * 0.85)).pack(side="top", fill="x", pady=(m.pad * 3, m.pad))
    for line in _explanations(documents, accept, left_out):
        label(page, look, line, wraplength=int(m.width * 0.85)).pack(side="top", fill="x")
    ticked = set() if ticked is None else ticked
    # Packed before the list: however long it is, Send and Cancel stay on screen.
    actions = frame(page, p.background)
    actions.pack(side="bottom", anchor=look.anchor("w"), pady=m.pad * 2)
    area = ScrollArea(page, look)
    area.pack(side="top", fill="both", expand=True, pady=m.pad)
    rows = _document_buttons(area.inner, look, documents, multiple, ticked, send)
    order: list[tk.Widget] = list(rows)
    third = int(m.width * 0.27)  # up to three buttons side by side, wrapped, not cut
    if multiple and documents:
        send_button = button(actions, look, _("Send the ticked documents"),
                             lambda: send(tuple(d.path for d in documents if d.path in ticked)),
                             kind="primary", font=m.tile_font, name="send", wraplength=third)
        send_button.pack(side=look.start, padx=look.padx(0, m.pad * 2))
        order.append(send_button)
    if scan is not None:
        scan_button = button(actions, look, "▤  " + _("Scan a document"), scan,
                             font=m.tile_font, name="scan", wraplength=third)
        scan_button.pack(side=look.start, padx=look.padx(0, m.pad * 2))
        order.append(scan_button)
    cancel_button = button(actions, look, look.back_label(_("Cancel: send nothing")), cancel,
                           font=m.tile_font, name="cancel", wraplength=third)
    cancel_button.pack(side=look.start)
    order.append(cancel_button)
    return ScreenParts(frame=page, order=order, first=order[0], name="picker", escape=cancel,
                       on_focus=area.show_widget)


def _explanations(documents: Sequence[Document], accept: Sequence[str],
                  left_out: int) -> list[str]:
    lines: list[str] = []
    wanted = describe_accept(accept)
    if wanted:
        lines.append(_("This website accepts: %(types)s.") % {"types": wanted})
    if not documents:
        lines.append(_("You have no document it can take yet. What you download from a "
                       "website or scan during your session is listed here."))
    if left_out:
        lines.append(ngettext("%d other document of yours is not of a kind this website "
                              "accepts.",
                              "%d other documents of yours are not of a kind this website "
                              "accepts.", left_out) % left_out)
    return lines


def _document_buttons(
    parent: tk.Frame, look: Look, documents: Sequence[Document], multiple: bool,
    ticked: set[Path], send: Callable[[tuple[Path, ...]], None],
) -> list[tk.Button]:
    m = look.metrics
    buttons: list[tk.Button] = []
    pictures = [_thumbnail_image(parent, d.path) for d in documents]
    # Rows without a picture get an empty one as wide as the widest: names stay aligned.
    made = [p for p in pictures if p is not None]
    blank = tk.PhotoImage(master=parent, width=max(p.width() for p in made),
                          height=min(p.height() for p in made)) if made else None
    for index, document in enumerate(documents):
        text = _row_text(document, multiple, ticked)
        widget = button(parent, look, text, lambda: None, font=m.tile_font, anchor="w",
                        wraplength=int(m.width * 0.7), name=f"document_{index}")
        _show_picture(widget, pictures[index] or blank)
        if multiple:
            widget.configure(command=_toggler(widget, document, ticked))
        else:
            widget.configure(command=_sender(send, document.path))
        widget.pack(side="top", fill="x", pady=m.pad // 2)
        buttons.append(widget)
    return buttons


def _thumbnail_image(master: tk.Misc, document: Path) -> tk.PhotoImage | None:
    """The document's small picture, when it is made (Tk reads the PNG itself)."""
    thumbnail = existing_thumbnail(document)
    if thumbnail is None:
        return None
    try:
        return tk.PhotoImage(master=master, file=str(thumbnail))
    except tk.TclError:  # half-written or damaged: the symbol says enough
        return None


def _show_picture(widget: tk.Button, picture: tk.PhotoImage | None) -> None:
    """The picture left of the row's symbol and name (none: the row as it was)."""
    if picture is None:
        return
    widget.configure(image=picture, compound="left")
    widget.picture = picture  # type: ignore[attr-defined]  # Tk forgets an unreferenced image


def _row_text(document: Document, multiple: bool, ticked: set[Path]) -> str:
    symbol = KIND_SYMBOL.get(document.kind, "")
    box = (TICKED if document.path in ticked else UNTICKED) + "  " if multiple else ""
    return f"{box}{symbol}  {document.name}   ({kind_caption(document)})"


def _sender(send: Callable[[tuple[Path, ...]], None], path: Path) -> Callable[[], None]:
    return lambda: send((path,))


def _toggler(widget: tk.Button, document: Document, ticked: set[Path]) -> Callable[[], None]:
    def toggle() -> None:
        ticked.symmetric_difference_update({document.path})
        show_text(widget, _row_text(document, True, ticked))

    return toggle
