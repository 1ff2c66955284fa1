"""The German catalogue is complete, has no fuzzy entries, keeps every placeholder, and the
committed .mo says the same as the .po (so nobody forgot ``insideout compilemessages``)."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "insideout" / "locale"
PO_FILE = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [value for key, value in self.fields.items() if key.startswith("msgstr")]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text.strip()[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Just enough of the PO format for a check: flags, msgid, msgid_plural, msgstr[n]."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry.fields[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            entry.fields[key] = _unquote(rest)
    return entries


ENTRIES = [entry for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if entry.msgid and not entry.obsolete]


def test_catalogue_has_the_messages_of_the_interface():
    msgids = {entry.msgid for entry in ENTRIES}
    assert {"Sign in", "My profile", "Notifications", "Save my profile"} <= msgids
    assert len(ENTRIES) > 300


def test_no_entry_is_fuzzy_or_untranslated():
    problems = [
        f"line {entry.line}: {entry.msgid!r}" + (" is fuzzy" if "fuzzy" in entry.flags else " is untranslated")
        for entry in ENTRIES
        if "fuzzy" in entry.flags or not all(text.strip() for text in entry.translations)
    ]
    assert problems == []


def test_translations_keep_every_placeholder():
    problems = []
    for entry in ENTRIES:
        singular = set(PLACEHOLDER.findall(entry.msgid))
        plural = set(PLACEHOLDER.findall(entry.fields.get("msgid_plural", ""))) or singular
        for text in entry.translations:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the count the singular does not show ("einmal" for 1),
            # but never brings a placeholder of its own nor drops one both sources have.
            if not (singular & plural) <= found <= (singular | plural):
                problems.append(f"line {entry.line}: {entry.msgid!r} -> {text!r}")
    assert problems == []


def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = []
    for entry in ENTRIES:
        if "msgid_plural" in entry.fields:
            compiled = [catalogue.ngettext(entry.msgid, entry.fields["msgid_plural"], n) for n in (1, 2)]
            expected = [entry.fields["msgstr[0]"], entry.fields["msgstr[1]"]]
        elif "msgctxt" in entry.fields:
            compiled, expected = catalogue.pgettext(entry.fields["msgctxt"], entry.msgid), entry.fields["msgstr"]
        else:
            compiled, expected = catalogue.gettext(entry.msgid), entry.fields["msgstr"]
        if compiled != expected:
            stale.append(f"line {entry.line}: {entry.msgid!r}")
    assert stale == [], "run `insideout compilemessages` (or `make messages`) and commit django.mo"
