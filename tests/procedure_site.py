"""A small "procedure site" on 127.0.0.1, served by Host header, that records every request.

Hosts (mapped to the server by Chromium's --host-resolver-rules):
- caf.borne.test: the allowed procedure site with every tricky case;
- connect.borne.test: a second allowed site;
- any other *.borne.test: a plain procedure form (the sample profile's other tiles);
- forms.example: an allowed site of another domain (an out-of-process iframe);
- depot.borne.test: pages that ask for files (one, several, in a frame of
  forms.example, in a new window) and record what they receive (POST /received);
- blocked.example: a site outside the allowlist; its pages say BLOCKED-CONTENT.
- localhost: the canary pages (a "potentially trustworthy" origin even over http,
  so that the Cache API and service workers work): each visit gets a fresh
  token, reports what it finds of earlier visits, then plants its token in
  every store a browser has.
  It also serves /awake, a page that keeps the screen awake (a wake lock needs
  such an origin).
"""

from __future__ import annotations

import email.parser
import email.policy
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ALLOWED = "caf.borne.test"
OTHER = "connect.borne.test"
BLOCKED = "blocked.example"
FORMS = "forms.example"  # allowed, and another site: its frames get a process of their own
UPLOADS = "depot.borne.test"
BLOCKED_MARK = "BLOCKED-CONTENT"
# A tiny but real PDF (one empty page).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{body}</body></html>").encode()


START = page("Start", f"""
<h1>Procedure start</h1>
<input id="name" name="name" autocomplete="off">
<a id="to-other" href="http://{OTHER}/">other allowed site</a>
<a id="to-blocked" href="http://{BLOCKED}/page">blocked site</a>
<a id="to-redirect" href="/redirect">redirect</a>
<a id="to-file" href="file:///etc/passwd">local file</a>
<a id="to-pdf" href="/recu.pdf">receipt</a>
<a id="blank-allowed" target="_blank" href="http://{OTHER}/from-blank">new window, allowed</a>
<a id="blank-blocked" target="_blank" href="http://{BLOCKED}/from-blank">new window, blocked</a>
<button id="open-allowed" onclick="window.open('http://{OTHER}/from-open')">open</button>
<button id="open-blocked" onclick="window.open('http://{BLOCKED}/from-open')">open</button>
""")

STORAGE = page("Storage", """
<script>
document.cookie = "canary=tok123; path=/";
localStorage.setItem("canary", "tok123");
document.title = "Storage " + localStorage.getItem("canary");
</script>""")

FORM = page("Form", '<form><input type="file" id="upload" name="upload"></form>')

IFRAME = page("Frames", f'<p>outer</p><iframe id="bad" src="http://{BLOCKED}/frame"></iframe>'
                        f'<iframe id="good" src="http://{OTHER}/framed"></iframe>')

FRAMED_UPLOAD = page("Framed upload",
                     f'<iframe id="forms" src="http://{FORMS}/upload"></iframe>')

# Ways out that need no click: a meta refresh, and a form posted by a script.
META_REFRESH = page("Refresh", f'<meta http-equiv="refresh" content="0;url=http://{BLOCKED}/'
                               'refreshed?token=secret"><p>moving on</p>')
POST_OUT = page("Post", f'<form id="out" method="post" action="http://{BLOCKED}/posted">'
                        '<input name="token" value="secret"></form>'
                        '<script>document.getElementById("out").submit()</script>')

# A merchant's page handing over to the bank's card check (3-D Secure 2): a script
# posts the challenge request ("creq") to the bank's server, here a blocked host.
CARD_CHECK = page("Payment", f'<form id="pay" method="post" action="http://{BLOCKED}/acs">'
                             '<input type="hidden" name="creq" value="eyJ0aHJlZURTU2VydmVy">'
                             '</form><script>document.getElementById("pay").submit()</script>')

LANGUAGE = page("Language", "<script>document.title = navigator.language;</script>")

# A page that keeps the screen awake, as a video site or a slideshow does: holdWakeLock()
# takes a screen wake lock, playVideo() plays a muted looping video (recorded in the page
# from a canvas: there is no video encoder on the machines to make a file to serve).
# `awake` tells how each went. Served on localhost: a wake lock needs a secure context.
AWAKE = page("Awake", """
<h1>Awake</h1>
<video id="clip" muted loop playsinline width="480" height="360"></video>
<script>
const awake = {wakeLock: "none", video: "none"};
async function holdWakeLock() {
  try {
    const lock = await navigator.wakeLock.request("screen");
    awake.wakeLock = "held";
    lock.addEventListener("release", () => { awake.wakeLock = "released"; });
  } catch (error) { awake.wakeLock = "error: " + error; }
}
function recordClip(milliseconds) {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 120;
  const context = canvas.getContext("2d");
  let frame = 0;
  const drawing = setInterval(() => {
    context.fillStyle = "hsl(" + (frame++ * 30 % 360) + ", 80%, 50%)";
    context.fillRect(0, 0, 160, 120);
  }, 40);
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: "video/webm"});
  const chunks = [];
  recorder.ondataavailable = event => chunks.push(event.data);
  return new Promise(resolve => {
    recorder.onstop = () => {
      clearInterval(drawing);
      resolve(new Blob(chunks, {type: "video/webm"}));
    };
    recorder.start();
    setTimeout(() => recorder.stop(), milliseconds);
  });
}
async function playVideo() {
  try {
    const clip = document.getElementById("clip");
    clip.src = URL.createObjectURL(await recordClip(2000));
    await clip.play();
    awake.video = "playing";
  } catch (error) { awake.video = "error: " + error; }
}
</script>""")

# A form to fill in with the on-screen keyboard: each change of the field is reported
# (GET /typed?value=...), and the field is big enough to tap whatever the keyboard.
IDENTITY = page("Identity", """
<style>body { margin: 0; font: 28px sans-serif; background: #fff; }
#first { position: fixed; left: 5vw; top: 8vh; width: 90vw; height: 20vh; font-size: 40px; }
#hint { position: fixed; left: 5vw; top: 30vh; margin: 0; }</style>
<form action="/identity/sent"><input id="first" name="first" autocomplete="off"
 aria-label="First name"></form>
<p id="hint">Votre prénom, puis Envoyer.</p>
<script>
const first = document.getElementById("first");
first.addEventListener("input", () => fetch("/typed?value=" + encodeURIComponent(first.value)));
</script>""")


def procedure_page(host: str) -> bytes:
    """The start page of the profile's other procedures: a plain form, as a real site has."""
    name = host.split(".")[0]
    return page(f"Procedure {name}", f"""
<h1>Online procedure: {name}</h1>
<p>Fill in the form, then send it.</p>
<form action="/sent"><label>Name <input name="name" autocomplete="off"></label>
<label>Reference <input name="reference" autocomplete="off"></label>
<button>Send</button></form>""")


CANARY_HOST = "localhost"

# First page of a canary visit: look for anything left by an earlier visit, then
# plant this visit's token in cookie, localStorage, sessionStorage, IndexedDB,
# the Cache API and a service worker, then go on with the token in the URL.
CANARY_START = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Canary</title></head>
<body><h1>Canary</h1><script>
const T = "%(token)s";
async function leftovers() {
  const found = [];
  if (document.cookie.includes("canary")) found.push("cookie");
  if (localStorage.getItem("canary")) found.push("localStorage");
  if (sessionStorage.getItem("canary")) found.push("sessionStorage");
  const dbs = await indexedDB.databases();
  if (dbs.some(d => d.name === "canary")) found.push("indexedDB");
  if ((await caches.keys()).length) found.push("cache");
  if ((await navigator.serviceWorker.getRegistrations()).length) found.push("serviceWorker");
  return found;
}
function storeInIndexedDB() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("canary", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("store");
    request.onerror = reject;
    request.onsuccess = () => {
      const tx = request.result.transaction("store", "readwrite");
      tx.objectStore("store").put(T, "token");
      tx.oncomplete = resolve;
      tx.onerror = reject;
    };
  });
}
async function plant() {
  document.cookie = "canary=" + T + "; path=/; max-age=86400";
  localStorage.setItem("canary", T);
  sessionStorage.setItem("canary", T);
  await storeInIndexedDB();
  const cache = await caches.open("canary");
  await cache.put("/cached/" + T, new Response("cached " + T));
  await navigator.serviceWorker.register("/sw.js?token=" + T);
  await navigator.serviceWorker.ready;
}
(async () => {
  const found = await leftovers();
  await fetch("/report?found=" + found.join(","));
  try { await plant(); }
  catch (error) { await fetch("/report?error=" + encodeURIComponent(error)); }
  location.href = "/canary/form?token=" + T;
})();
</script></body></html>"""

# Second page: the token in the address, a field the resident types into, a
# download whose name and content carry the token, and a file input that sends
# what it gets at once (the soak uploads the receipt back).
CANARY_FORM = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Canary form</title></head>
<body><h1>Canary form</h1>
<form action="/canary/sent" method="get"><input id="field" name="field" autofocus
 oninput="fetch('/typed?length=' + this.value.length);
  if (this.value === '%(token)s') document.getElementById('download').click();"></form>
<a id="download" href="/download/%(token)s">receipt</a>
<form method="post" enctype="multipart/form-data" action="/canary/received">
<input type="file" id="proof" name="proof" onchange="this.form.submit()"></form>
<script>
fetch("/planted?token=%(token)s");
</script></body></html>"""

# Canary visits that end on a page that turns against the resident once the token is
# planted: /canary-then/<kind> is the canary's first page, which goes on to
# /hostile/<kind> instead of the form. Each hostile page says it is there (/planted),
# then:
# - alert-loop, confirm-loop: asks again as soon as it is answered, for ever;
# - alert-once: one alert; once answered, says so (/answered);
# - memory-hog: takes 50 MB more every 50 ms, touching every byte, until it dies.
HOSTILE_SCRIPTS = {
    "alert-loop": 'for (;;) alert("Encore !");',
    "confirm-loop": 'for (;;) confirm("Vraiment ?");',
    "alert-once": 'alert("Une seule fois"); fetch("/answered?token=" + T);',
    "memory-hog": "const kept = []; setInterval(() => {"
                  " const block = new Uint8Array(50 * 1024 * 1024); block.fill(7);"
                  " kept.push(block); }, 50);",
}
HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hostile</title></head>
<body><h1>%(kind)s</h1><script>
const T = "%(token)s";
fetch("/planted?token=" + T).then(() => setTimeout(() => { %(script)s }, 300));
</script></body></html>"""


CANARY_WORKER = """self.addEventListener("install", event => {
  const token = new URL(location).searchParams.get("token");
  event.waitUntil(caches.open("worker").then(c => c.put("/worker/" + token, new Response(token))));
});
self.addEventListener("fetch", () => {});
"""

# Pages that try to hold the resident: a "leave this page?" question, a busy loop.
# What a page can see of the browser's policy: the lockdown's AlwaysOpenPdfExternally
# turns navigator.pdfViewerEnabled false (true in a Chromium without policy).
PROBE = page("Probe", """<p>probe</p><script>
document.title = "PDF viewer " + (navigator.pdfViewerEnabled ? "on" : "off");
</script>""")
# A script that asks for a mail client at once, with no tap (Chromium asks no question).
MAILTO = page("Mail", '<p>mail</p><script>location.href = "mailto:someone@example.org";</script>')
BEFOREUNLOAD = page("Stay", "<p>stay with me</p><script>addEventListener('beforeunload', "
                    "e => { e.preventDefault(); e.returnValue = ''; });</script>")
BUSY = page("Busy", "<p>busy</p><script>setTimeout(() => { for (;;) {} }, 300);</script>")

# The upload pages: a proof to download first (a resident's document of the session),
# then a file input that sends what it gets at once. The link has the keyboard.
PROOFS = {"/attestation.pdf": ("attestation-caf.pdf", PDF),
          "/avis.txt": ("avis-impot.txt", b"Avis d'imposition 2026\n" * 50)}
UPLOAD_FORM = """<form method="post" enctype="multipart/form-data" action="/received">
<input type="file" id="file" name="file"%s onchange="this.form.submit()"></form>"""


def upload_page(title: str, body: str) -> bytes:
    links = "".join(f'<p><a id="get{i}" href="{path}">proof {i}</a></p>'
                    for i, path in enumerate(PROOFS))
    return page(title, links + body + "<script>document.getElementById('get0').focus()"
                "</script>")


UPLOAD_PAGES = {
    "/single": upload_page("Upload one", UPLOAD_FORM % ' accept=".pdf,.txt"'),
    "/several": upload_page("Upload several", UPLOAD_FORM % " multiple"),
    "/framed": upload_page("Upload framed",
                           f'<iframe id="forms" src="http://{FORMS}/upload-form"></iframe>'),
    "/popup": upload_page("Upload popup",
                          "<button id=\"pop\" onclick=\"window.open('/upload-form')\">"
                          "open the form</button>"),
    "/upload-form": page("Upload form", UPLOAD_FORM.replace(
        'id="file"', 'id="file" autofocus') % ""),
}
# A statement too big for a small session folder (the folder-full fault's download).
BIG_NAME = "releve-annuel.pdf"
BIG_SIZE = 64 * 1024 * 1024
UPLOAD_PAGES["/big"] = page("Big", '<p><a id="big" href="/big.pdf">statement</a></p>'
                            "<script>document.getElementById('big').focus()</script>")
RECEIVED = page("Received", "<h1>Received</h1>")
# A receipt of two printed pages, with a title the printer must never see.
RECEIPT_TITLE = "Recepisse Dupont Jeanne"
RECEIPT = page(RECEIPT_TITLE, "<h1>Recepisse de depot 4821</h1>"
               "<p style='break-after: page'>Premiere page du recepisse</p>"
               "<p>Seconde page du recepisse</p>"
               "<button id='print' onclick='window.print()'>Imprimer</button>")
# A page that calls print() on its own (three times at once, once later), then
# says so to the server; its button prints when the resident presses it.
NAG = page("Nag", "<button id='print' autofocus onclick='window.print()'>Imprimer</button>"
           "<script>for (let i = 0; i < 3; i++) window.print();"
           " setTimeout(() => { window.print(); fetch('/nagged'); }, 300);</script>")


# The monkey's playground (tests/monkey.py): a dense grid of everything a page can
# do to get out, so that random taps and keys hit something most of the time. Every
# way out is here: links to allowed and blocked hosts, new windows (target=_blank,
# window.open), schemes a browser hands to other programs (mailto:, file:,
# javascript:, chrome://, view-source:, data:, about:), forms (text, a file input,
# a submit), a download, and the page's own dialogs (alert, confirm, prompt, print).
MONKEY_WAYS_OUT = [
    ("a", f"http://{ALLOWED}/monkey?again", "again"),
    ("a", f"http://{OTHER}/monkey", "other allowed site"),
    ("a", f"http://{BLOCKED}/monkey", "blocked site"),
    ("a", f"http://{FORMS}/", "forms site (not allowed)"),
    ("a", f"http://{UPLOADS}/single", "upload site (not allowed)"),
    ("blank", f"http://{OTHER}/monkey?blank", "new window, allowed"),
    ("blank", f"http://{BLOCKED}/from-blank", "new window, blocked"),
    ("blank", f"http://{ALLOWED}/monkey?blank", "new window, this site"),
    ("open", f"http://{OTHER}/monkey?open", "open, allowed"),
    ("open", f"http://{BLOCKED}/from-open", "open, blocked"),
    ("open", "about:blank", "open, blank"),
    ("open", "chrome://settings", "open, settings"),
    ("a", "mailto:someone@example.org", "mail"),
    ("a", "file:///etc/passwd", "local file"),
    ("a", "file:///", "local folders"),
    ("a", "javascript:location.href='http://" + BLOCKED + "/js'", "script link"),
    ("a", "chrome://settings", "settings"),
    ("a", "chrome://downloads", "downloads"),
    ("a", "view-source:http://" + ALLOWED + "/monkey", "source"),
    ("a", "data:text/html,<h1>data</h1>", "data address"),
    ("a", "about:version", "about"),
    ("a", "tel:0123456789", "phone"),
    ("a", "/recu.pdf", "download"),
    ("a", "/redirect", "redirect to blocked"),
    ("a", "/meta-refresh", "refresh to blocked"),
    ("a", "/post-out", "post to blocked"),
    ("a", "/iframe", "frames"),
    ("a", "/receipt", "receipt"),
    ("a", "/nag", "nagging printer"),
    ("a", "/beforeunload", "stay"),
    ("button", "alert('hello')", "alert"),
    ("button", "confirm('sure?')", "confirm"),
    ("button", "prompt('name?')", "prompt"),
    ("button", "window.print()", "print"),
    ("button", f"location.href='http://{BLOCKED}/scripted'", "scripted blocked"),
    ("button", "history.back()", "back"),
    ("button", "document.documentElement.requestFullscreen()", "full screen"),
    ("button", "window.close()", "close"),
]


def monkey_page() -> bytes:
    cells = []
    for kind, target, label in MONKEY_WAYS_OUT:
        if kind == "a":
            cells.append(f'<a href="{target}">{label}</a>')
        elif kind == "blank":
            cells.append(f'<a target="_blank" href="{target}">{label}</a>')
        elif kind == "open":
            cells.append(f"<button onclick=\"window.open('{target}')\">{label}</button>")
        else:
            cells.append(f'<button onclick="{target}">{label}</button>')
    form = ('<form action="/sent" class="wide"><input name="name" placeholder="name">'
            '<textarea name="note"></textarea><select name="pick"><option>one</option>'
            '<option>two</option></select><input type="file" name="upload">'
            '<button>Send</button></form>')
    style = ("<style>body{margin:0;font:18px sans-serif}"
             "main{display:grid;grid-template-columns:repeat(8,1fr);gap:4px;padding:4px}"
             "main>*{min-height:90px;border:1px solid #888;display:flex;align-items:center;"
             "justify-content:center;text-align:center}"
             ".wide{grid-column:span 8;gap:8px}.wide>*{min-height:60px}</style>")
    return page("Monkey", style + "<main>" + "".join(cells) + form + "</main>")


MONKEY = monkey_page()


def files_in(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """The (file name, bytes) of each file in a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    found: list[tuple[str, bytes]] = []
    for part in message.iter_parts():
        name = part.get_filename()
        payload = part.get_payload(decode=True)
        if name:
            found.append((name, payload if isinstance(payload, bytes) else b""))
    return found


# For benchmarks: the image is asked for once the page is parsed, so its request
# marks "page ready" on the server's clock, the same way for any browser set-up.
BENCH = page("Bench", '<h1>Ready?</h1><img src="/ready.gif" alt="">')
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c000000000100"
                    "01000002024401003b")


@dataclass
class SiteLog:
    """What the server was asked for: (host, path, Accept-Language) in order."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The canary visits: the tokens handed out, and what each visit reported.
    tokens: list[str] = field(default_factory=list)
    reports: list[dict[str, list[str]]] = field(default_factory=list)
    # Files received by the upload pages: (host, file name, bytes).
    uploads: list[tuple[str, str, bytes]] = field(default_factory=list)

    def received(self, host: str, files: list[tuple[str, bytes]]) -> None:
        with self.lock:
            self.uploads.extend((host, name, data) for name, data in files)

    def uploaded(self) -> list[tuple[str, str, bytes]]:
        with self.lock:
            return list(self.uploads)

    def add(self, host: str, path: str, language: str) -> None:
        with self.lock:
            self.requests.append((host, path, language))

    def hosts(self) -> set[str]:
        with self.lock:
            return {host for host, _, _ in self.requests}

    def paths(self, host: str) -> list[str]:
        with self.lock:
            return [p for h, p, _ in self.requests if h == host]

    def languages(self, host: str, path: str) -> list[str]:
        with self.lock:
            return [lang for h, p, lang in self.requests if h == host and p == path]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def new_token(self) -> str:
        with self.lock:
            self.tokens.append("CANARY" + uuid.uuid4().hex)
            return self.tokens[-1]

    def report(self, query: dict[str, list[str]]) -> None:
        with self.lock:
            self.reports.append(query)

    def wait_for_path(self, path: str, timeout: float) -> bool:
        """Wait until some host was asked for `path`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if any(p == path for _, p, _ in self.requests):
                    return True
            time.sleep(0.002)
        return False


class Site:
    """The running server; `rules` maps the fake hosts to it for Chromium."""

    def __init__(self) -> None:
        self.log = SiteLog()
        site_log = self.log

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                site_log.add(host, self.path, self.headers.get("Accept-Language") or "")
                if host == CANARY_HOST:
                    status, headers, body = respond_canary(self.path, site_log)
                else:
                    status, headers, body = respond(host, self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                site_log.add(host, self.path, self.headers.get("Accept-Language") or "")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                site_log.received(host, files_in(self.headers.get("Content-Type") or "", body))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(RECEIVED)))
                self.end_headers()
                self.wfile.write(RECEIVED)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def rules(self) -> str:
        return (f"MAP *.borne.test 127.0.0.1:{self.port}, "
                f"MAP {BLOCKED} 127.0.0.1:{self.port}, MAP {FORMS} 127.0.0.1:{self.port}")

    def url(self, path: str = "/", host: str = ALLOWED) -> str:
        return f"http://{host}{path}"

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def respond(host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    if host == BLOCKED:
        return 200, html, page("Blocked", f"<p>{BLOCKED_MARK} {path}</p>")
    if host == FORMS:
        return 200, html, UPLOAD_PAGES["/upload-form"] if path == "/upload-form" else FORM
    if host == UPLOADS:
        return respond_upload(path)
    if host in (ALLOWED, OTHER) and path.split("?")[0] == "/monkey":
        return 200, html, MONKEY  # on both allowed sites: the monkey never gets stuck
    if host == OTHER:
        return 200, html, page("Other", f"<p>other site {path}</p>")
    if host != ALLOWED and host.endswith(".borne.test"):
        return 200, html, procedure_page(host)
    if host != ALLOWED:
        return 404, html, page("Unknown", "<p>unknown host</p>")
    if path == "/redirect":
        return 302, {"Location": f"http://{BLOCKED}/landing?token=secret"}, b""
    if path == "/ready.gif":
        return 200, {"Content-Type": "image/gif", "Cache-Control": "no-store"}, GIF
    if path == "/recu.pdf":
        return 200, {"Content-Type": "application/pdf",
                     "Content-Disposition": 'attachment; filename="recu-caf.pdf"'}, PDF
    pages = {"/": START, "/storage": STORAGE, "/form": FORM, "/iframe": IFRAME,
             "/language": LANGUAGE, "/bench": BENCH, "/meta-refresh": META_REFRESH,
             "/post-out": POST_OUT, "/beforeunload": BEFOREUNLOAD, "/busy": BUSY,
             "/framed-upload": FRAMED_UPLOAD, "/receipt": RECEIPT,
             "/nag": NAG, "/probe": PROBE, "/mailto": MAILTO, "/card-check": CARD_CHECK,
             "/identity": IDENTITY}
    if path in pages:
        return 200, html, pages[path]
    return 404, html, page("Not found", "<p>not found</p>")


def respond_upload(path: str) -> tuple[int, dict[str, str], bytes]:
    if path in PROOFS:
        name, data = PROOFS[path]
        kind = "application/pdf" if name.endswith(".pdf") else "text/plain"
        return 200, {"Content-Type": kind,
                     "Content-Disposition": f'attachment; filename="{name}"'}, data
    if path == "/big.pdf":
        return 200, {"Content-Type": "application/pdf",
                     "Content-Disposition": f'attachment; filename="{BIG_NAME}"'}, \
            PDF + b"\n" * (BIG_SIZE - len(PDF))
    if path in UPLOAD_PAGES:
        return 200, {"Content-Type": "text/html; charset=utf-8"}, UPLOAD_PAGES[path]
    return 404, {"Content-Type": "text/html; charset=utf-8"}, page("Not found", "")


def profile_toml(procedures: list[tuple[str, str, list[str]]]) -> str:
    """A small valid profile: one group, a tile per (id, start address, allowed hosts),
    in that order (the first tile has the keyboard on the home screen)."""
    tiles = "".join(f"""
[[procedure]]
id = "{name}"
group = "tests"
title = "{name}"
start_url = "{url}"
allow = [{", ".join(f'"{host}"' for host in allow)}]
other_ways = "Au guichet"
""" for name, url, allow in procedures)
    return ('schema = 1\n\n[terminal]\nname = "Borne de test"\nlanguages = ["fr", "en"]\n\n'
            '[help]\ndesk = "Accueil"\n\n[[group]]\nid = "tests"\ntitle = "Tests"\n' + tiles)


def respond_canary(path: str, log: SiteLog) -> tuple[int, dict[str, str], bytes]:
    """The canary pages on localhost (see CANARY_START)."""
    html = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    parts = urlsplit(path)
    query = parse_qs(parts.query, keep_blank_values=True)
    token = query.get("token", [""])[0]
    if parts.path == "/canary":
        return 200, html, (CANARY_START % {"token": log.new_token()}).encode()
    if parts.path.startswith("/canary-then/"):
        kind = parts.path.removeprefix("/canary-then/")
        if kind not in HOSTILE_SCRIPTS:
            return 404, html, page("Not found", "<p>not found</p>")
        start = CANARY_START.replace('"/canary/form?token="', f'"/hostile/{kind}?token="')
        return 200, html, (start % {"token": log.new_token()}).encode()
    if parts.path.startswith("/hostile/"):
        kind = parts.path.removeprefix("/hostile/")
        if kind not in HOSTILE_SCRIPTS:
            return 404, html, page("Not found", "<p>not found</p>")
        return 200, html, (HOSTILE_PAGE % {"kind": kind, "token": token,
                                           "script": HOSTILE_SCRIPTS[kind]}).encode()
    if parts.path == "/canary/form":
        return 200, html, (CANARY_FORM % {"token": token}).encode()
    if parts.path == "/awake":
        return 200, html, AWAKE
    if parts.path == "/sw.js":
        return 200, {"Content-Type": "text/javascript"}, CANARY_WORKER.encode()
    if parts.path.startswith("/download/"):
        token = parts.path.removeprefix("/download/")
        return 200, {"Content-Type": "text/plain; charset=utf-8",
                     "Content-Disposition": f'attachment; filename="recu-{token}.txt"'}, \
            f"Receipt {token}\n".encode()
    if parts.path in ("/report", "/planted", "/typed", "/answered"):
        log.report({"what": [parts.path.lstrip("/")], **query})
        return 204, {}, b""
    return 404, html, page("Not found", "<p>not found</p>")
