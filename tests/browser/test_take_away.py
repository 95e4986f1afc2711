"""The address handed to a resident's phone keeps nothing personal."""

from __future__ import annotations

import pytest

from kiosk.browser.chromium import START_URL
from kiosk.browser.take_away import strip_for_take_away


@pytest.mark.parametrize(("url", "kept"), [
    ("https://www.caf.fr/allocataires/mes-services?numero=1234567&nom=Dupont#etape-2",
     "https://www.caf.fr/allocataires/mes-services"),
    ("https://www.impots.gouv.fr/", "https://www.impots.gouv.fr/"),
    ("https://www.impots.gouv.fr", "https://www.impots.gouv.fr/"),
    ("https://jean.dupont:secret@www.ameli.fr/assure?x=1", "https://www.ameli.fr/assure"),
    ("HTTPS://WWW.Ameli.FR:443/Assure/Compte;jsessionid=abc?x=1",
     "https://www.ameli.fr/Assure/Compte;jsessionid=abc"),
    ("http://intranet.mairie.local:8080/rdv?jour=lundi", "http://intranet.mairie.local:8080/rdv"),
    ("http://127.0.0.1:80/page#top", "http://127.0.0.1/page"),
    ("https://[::1]:8443/a", "https://[::1]:8443/a"),
    ("https://www.caf.fr/un chemin/é", "https://www.caf.fr/un%20chemin/%C3%A9"),
    ("https://www.caf.fr/?", "https://www.caf.fr/"),
])
def test_keeps_only_scheme_host_port_and_path(url: str, kept: str) -> None:
    assert strip_for_take_away(url) == kept


@pytest.mark.parametrize("url", [
    START_URL,
    "data:text/html,<p>Cette adresse n'est pas autorisée</p>",
    "file:///etc/passwd",
    "about:blank",
    "chrome://settings",
    "chrome-error://chromewebdata/",
    "view-source:https://www.caf.fr/",
    "javascript:alert(1)",
    "blob:https://www.caf.fr/0e6c3a0c-1111-2222-3333-444455556666",
    "ftp://ftp.example.org/file",
    "https:///no-host",
    "https://www.caf.fr:99999/",
    "",
    "not a url",
])
def test_nothing_for_what_is_no_web_page(url: str) -> None:
    assert strip_for_take_away(url) is None


def test_no_personal_part_survives() -> None:
    secret = "TOKEN-4242"
    url = (f"https://user-{secret}:{secret}@demarches.example.fr/dossier"
           f"?id={secret}&mail={secret}%40example.org#{secret}")
    kept = strip_for_take_away(url)
    assert kept == "https://demarches.example.fr/dossier"
    assert secret not in kept
