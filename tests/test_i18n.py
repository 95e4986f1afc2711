"""Every string a resident sees is translated into each language the kiosk ships.

The messages are extracted from the code at test time (Babel, as `make i18n` does),
never read from a committed template, so a new string without its translations
fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import catalogues
import pytest
from babel.messages.catalog import Catalog

from kiosk import i18n
from kiosk.i18n import gettext_for, is_rtl, language_name, ngettext_for

LANGUAGES = ("fr", "en", "es", "ar")


@pytest.fixture
def template() -> Catalog:
    """The messages the code holds now (fresh for each test: some add to it)."""
    return catalogues.extract()


def test_the_four_languages_are_shipped() -> None:
    assert {path.stem for path in catalogues.language_files()} >= set(LANGUAGES)


@pytest.mark.parametrize("path", catalogues.language_files(), ids=lambda p: p.stem)
def test_each_catalogue_is_complete_and_clean(path: Path, template: Catalog) -> None:
    problems = list(catalogues.problems(catalogues.read(path), template))
    assert not problems, "run `make i18n`, then translate:\n" + "\n".join(map(str, problems))


def test_a_new_string_without_its_translation_is_found(template: Catalog) -> None:
    template.add("A message nobody translated yet")
    template.add(("%d new thing", "%d new things"))
    found = {(p.kind, p.message) for p in
             catalogues.problems(catalogues.read(catalogues.LOCALE / "es.po"), template)}
    assert ("missing", "A message nobody translated yet") in found
    assert ("missing", "%d new thing") in found


def test_stale_fuzzy_and_broken_placeholders_are_found(template: Catalog) -> None:
    catalogue = catalogues.read(catalogues.LOCALE / "es.po")
    catalogue.add("A message the code no longer has", "Un mensaje viejo")
    catalogue["Your scan is ready: %(name)s"].string = "Su escaneo está listo: %(nombre)s"
    catalogue["Printing page {done} of {total}…"].string = "Imprimiendo la página {done}…"
    catalogue["Back"].flags.add("fuzzy")
    catalogue["%d page"].string = ("%d página", "páginas")
    found = {(p.kind, p.message.split(" -> ")[0]) for p in
             catalogues.problems(catalogue, template)}
    assert found == {
        ("obsolete (no longer in the code)", "A message the code no longer has"),
        ("placeholders differ", "Your scan is ready: %(name)s"),
        ("placeholders differ", "Printing page {done} of {total}…"),
        ("placeholders differ", "%d page"),
        ("fuzzy", "Back"),
    }


def test_arabic_has_its_six_plural_forms() -> None:
    catalogue = catalogues.read(catalogues.LOCALE / "ar.po")
    assert catalogue.num_plurals == 6
    assert catalogue.plural_expr == ("(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && "
                                     "n%100<=10 ? 3 : n%100>=11 ? 4 : 5)")
    forms = {n: ngettext_for("ar", "%d page", "%d pages", n) % n for n in (1, 2, 5, 11, 100)}
    assert forms == {1: "1 صفحة", 2: "2 صفحتان", 5: "5 صفحات", 11: "11 صفحةً",
                     100: "100 صفحة"}


def test_the_compiled_catalogues_are_used() -> None:
    assert gettext_for("fr", "Back") == "Retour"
    assert gettext_for("fr", "End session") == "Terminer la session"
    assert ngettext_for("fr", "second left", "seconds left", 2) == "secondes restantes"
    assert gettext_for("es", "Need help? Ask a person") == "¿Necesita ayuda? Pregunte a una persona"
    assert gettext_for("ar", "Need help? Ask a person") == "هل تحتاج إلى مساعدة؟ اسأل شخصًا"
    assert ngettext_for("es", "second left", "seconds left", 1) == "segundo restante"


def test_an_unknown_language_falls_back_to_the_source_text() -> None:
    assert gettext_for("xx", "Back") == "Back"


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("fr", False), ("ar-MA", True)])
def test_right_to_left_languages(lang: str, rtl: bool) -> None:
    assert is_rtl(lang) is rtl


def test_a_language_dropped_in_as_a_catalogue_names_itself(
        tmp_path: Path) -> None:
    # A language the code knows nothing of: only its compiled catalogue, found
    # through KIOSK_LOCALE_DIR.
    folder = tmp_path / "eo" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copyfile(i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "kiosk.mo", folder / "kiosk.mo")
    i18n.use_extra_catalogues(tmp_path)
    try:
        assert i18n.has_catalogue("eo")
        assert language_name("eo") == "Español"  # the copied catalogue's own name
        assert gettext_for("eo", "Back") == "Volver"
        assert gettext_for("fr", "Back") == "Retour"  # the packaged ones are still there
    finally:
        i18n.use_extra_catalogues(None)
    assert language_name("eo") == "eo"
