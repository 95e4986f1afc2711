"""The embedded default profile: what a town runs first, so every procedure must be whole."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.config.allowlist import Allowlist
from kiosk.config.load import load_profile, packaged_default_profile
from kiosk.config.schema import PARTNERS

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = REPO / "profiles" / "default.toml"
PROFILE_TEXT = DEFAULT_PROFILE.read_text(encoding="utf-8")
# Read as plain TOML, so that each broken procedure fails its own test (the loader
# would refuse the whole file at once).
RAW_PROCEDURES: list[dict[str, Any]] = tomllib.loads(PROFILE_TEXT)["procedure"]
IDS = [str(entry["id"]) for entry in RAW_PROCEDURES]
# The profile's own languages that every resident-facing text must have.
REQUIRED_LANGUAGES = ("fr", "en")
SOURCE_NOTE = re.compile(r"checked 2026-11-30|to check")


def procedure_blocks() -> dict[str, str]:
    """Each procedure's text in the file, comments included, by id."""
    blocks: dict[str, str] = {}
    for block in PROFILE_TEXT.split("[[procedure]]")[1:]:
        found = re.search(r'^id = "([^"]+)"', block, re.MULTILINE)
        assert found is not None, block[:200]
        blocks[found.group(1)] = block
    return blocks


def test_the_packaged_default_is_this_file() -> None:
    assert packaged_default_profile().resolve() == DEFAULT_PROFILE.resolve()


def test_profile_check_accepts_it() -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk", "profile", "check",
                             str(DEFAULT_PROFILE)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(f"{DEFAULT_PROFILE}: OK"), result.stdout


@pytest.mark.parametrize("entry", RAW_PROCEDURES, ids=IDS)
def test_every_procedure_names_its_partner_in_the_file(entry: dict[str, Any]) -> None:
    # Explicit, not the schema's default: a forgotten key would count it as "other".
    assert entry.get("partner") in PARTNERS


@pytest.mark.parametrize("entry", RAW_PROCEDURES, ids=IDS)
def test_every_procedure_offers_other_ways_in_french_and_english(entry: dict[str, Any]) -> None:
    for key in ("title", "description", "other_ways"):
        texts = entry.get(key)
        assert isinstance(texts, dict), f"{key} is not a table by language"
        for language in REQUIRED_LANGUAGES:
            assert str(texts.get(language, "")).strip(), f"no {key} in {language}"


@pytest.mark.parametrize("entry", RAW_PROCEDURES, ids=IDS)
def test_every_start_page_is_inside_its_own_allowlist(entry: dict[str, Any]) -> None:
    start_url = str(entry["start_url"])
    assert start_url.startswith("https://")
    assert Allowlist.of(entry["allow"]).allows_url(start_url)


def test_every_procedure_says_where_its_facts_come_from() -> None:
    blocks = procedure_blocks()
    assert sorted(blocks) == sorted(IDS)
    unsourced = [name for name, block in blocks.items() if not SOURCE_NOTE.search(block)]
    assert unsourced == []


def test_the_daily_procedures_of_a_france_services_desk_are_there() -> None:
    by_id = {procedure.id: procedure for procedure in load_profile(DEFAULT_PROFILE).procedures}
    expected_hosts = {
        "casier-judiciaire": "casier-judiciaire.justice.gouv.fr",
        "titre-de-sejour": "administration-etrangers-en-france.interieur.gouv.fr",
        "cheque-energie": "chequeenergie.gouv.fr",
        "amendes": "amendes.gouv.fr",
        "maprocuration": "www.maprocuration.gouv.fr",
        "agirc-arrco": "www.agirc-arrco.fr",
        "identite-numerique-laposte": "lidentitenumerique.laposte.fr",
    }
    for procedure_id, host in expected_hosts.items():
        assert procedure_id in by_id, procedure_id
        assert by_id[procedure_id].allow.allows_host(host), (procedure_id, host)


def test_the_corrected_allowlists() -> None:
    by_id = {procedure.id: procedure for procedure in load_profile(DEFAULT_PROFILE).procedures}
    youth = by_id["1jeune1solution"].allow
    assert youth.allows_host("labonnealternance.apprentissage.beta.gouv.fr")
    assert youth.allows_host("immersion-facile.beta.gouv.fr")
    assert not youth.allows_host("app.franceconnect.gouv.fr"), "the site has no FranceConnect"
    licence = by_id["ants-permis"].allow
    assert licence.allows_host("candidat.permisdeconduire.gouv.fr")
    assert licence.allows_host("moncompte.permisdeconduire.gouv.fr")
    assert by_id["justice"].allow.allows_host("casier-judiciaire.justice.gouv.fr")
    # The driving-licence application and the passport appointments use this captcha.
    assert licence.allows_host("captcha.liveidentity.com")
    assert by_id["ants-identite"].allow.allows_host("captcha.liveidentity.com")
    # The chèque énergie claims desk signs in through FranceConnect.
    assert by_id["cheque-energie"].allow.allows_host("app.franceconnect.gouv.fr")
    assert by_id["agirc-arrco"].allow.allows_host("app.franceconnect.gouv.fr")


@pytest.mark.parametrize("entry", RAW_PROCEDURES, ids=IDS)
def test_every_procedure_sources_its_start_page_and_phone(entry: dict[str, Any]) -> None:
    # At least one dated check with the address it was read at; what is still
    # uncertain is a "to check" note beside it, never silence.
    block = procedure_blocks()[str(entry["id"])]
    comments = " ".join(line.lstrip("# ") for line in block.splitlines()
                        if line.startswith("#"))
    assert re.search(r"checked 2026-11-30", comments), comments
    assert re.search(r"https?://\S+", comments), comments
