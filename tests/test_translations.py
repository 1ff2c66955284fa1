"""The German catalogue is complete, has no fuzzy entries, keeps every placeholder, and the
committed .mo says the same as the .po (so nobody forgot ``insideout compilemessages``)."""

from __future__ import annotations

import ast
import functools
import gettext
import re
from collections.abc import Iterator
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


# --- every text the Python code translates reaches the catalogue -----------------------------------

SOURCE_DIR = LOCALE_DIR.parent
# The gettext functions and which argument holds the message (pgettext's first is the context).
GETTEXT_CALLS = {
    "_": 0, "gettext": 0, "gettext_lazy": 0, "ngettext": 0, "ngettext_lazy": 0, "pgettext": 1, "pgettext_lazy": 1,
}  # fmt: skip


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


@functools.cache
def _translated_texts() -> list[tuple[str, int, str, bool]]:
    return list(_texts_in_code())


def _texts_in_code() -> Iterator[tuple[str, int, str, bool]]:
    """Each literal message of a gettext call in the project's code (not its tests): the file, the
    line, the message, and whether the call sits inside an f-string."""
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        if "tests" in path.relative_to(SOURCE_DIR).parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstring = {
            id(inner) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (slot := GETTEXT_CALLS.get(_call_name(node))) is None:
                continue
            if (
                len(node.args) > slot
                and isinstance(arg := node.args[slot], ast.Constant)
                and isinstance(arg.value, str)
            ):
                yield str(path.relative_to(SOURCE_DIR)), node.lineno, arg.value, id(node) in in_fstring


def test_no_text_is_translated_inside_an_f_string():
    """xgettext does not read inside f-strings: a text translated there never reaches the catalogue."""
    inside = [f"{path}:{line}: {text!r}" for path, line, text, in_fstring in _translated_texts() if in_fstring]
    assert inside == [], "translate into a variable first, then put the variable in the f-string"


def test_every_text_the_code_translates_is_in_the_catalogue():
    msgids = {entry.msgid for entry in ENTRIES}
    missing = [f"{path}:{line}: {text!r}" for path, line, text, _ in _translated_texts() if text not in msgids]
    assert missing == [], "run `make messages`, translate the new entries, and commit django.po and django.mo"


def test_a_recipient_and_the_end_of_a_time_span_are_told_apart():
    """English says "To" for both; German does not ("An" a person, "Bis" a time)."""
    catalogue = gettext.GNUTranslations(MO_FILE.open("rb"))

    assert catalogue.gettext("To") == "An"
    assert catalogue.pgettext("end of a time span", "To") == "Bis"
