"""Words of a person that people search finds them by.

Search matches the beginning of words ("ann" finds Anna, "mül" and "mul" find Müller), which
an ordinary index answers with a range scan on SQLite and PostgreSQL alike. A ``LIKE '%…%'``
over 100,000 people scans the whole table on every keystroke (see ADR 0003).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TOKEN_LENGTH = 40
MAX_QUERY_WORDS = 6
_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that have no decomposition but that people type without the mark.
_EXTRA_FOLDS = str.maketrans({"ı": "i", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})


def fold(text: str) -> str:
    """Lower-case and strip accents: ``"Müller"`` → ``"muller"``, ``"Yılmaz"`` → ``"yilmaz"``.

    Works on decomposed input too (``"Mu\u0308ller"``, as macOS writes file names and some CSVs).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_EXTRA_FOLDS)


def words(text: str) -> list[str]:
    """The words of a text as written, lower-cased, with combined accents kept in one word."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def tokens_for(*parts: str) -> set[str]:
    """Every word of the parts, as written (lower-cased) and with accents folded."""
    found: set[str] = set()
    for part in parts:
        found.update(word[:MAX_TOKEN_LENGTH] for word in words(part))
        found.update(word[:MAX_TOKEN_LENGTH] for word in _WORD.findall(fold(part)))
    found.discard("")
    return found


def query_words(query: str) -> list[str]:
    """The distinct words of a search, folded, at most :data:`MAX_QUERY_WORDS`."""
    seen: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word[:MAX_TOKEN_LENGTH]
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]


def prefix_range(word: str) -> tuple[str, str]:
    """Bounds ``[low, high)`` of the strings that start with ``word``."""
    return word, word[:-1] + chr(ord(word[-1]) + 1)


def unique_tokens(rows: Iterable[tuple[int, set[str]]]) -> list[tuple[int, str]]:
    return [(employee_id, token) for employee_id, tokens in rows for token in sorted(tokens)]
