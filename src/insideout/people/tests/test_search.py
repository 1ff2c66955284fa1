import io
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection

from insideout.people import selectors
from insideout.people.models import SearchToken
from insideout.people.search import query_words, tokens_for
from insideout.people.tests.factories import EmployeeFactory


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Müller", "muller"),
        ("Müller", "MÜL"),
        (unicodedata.normalize("NFD", "Müller"), "müller"),
        ("İlker", "ilker"),
        ("Yılmaz", "yil"),
        ("Øresund", "ore"),
        ("Groß", "gross"),
        ("García", "garc"),
    ],
)
def test_a_typed_prefix_matches_a_written_name(written, typed):
    [word] = query_words(typed)
    assert any(token.startswith(word) for token in tokens_for(written)), (written, typed)


def test_query_words_are_folded_distinct_and_capped():
    assert query_words("Anna  anna, FIN; a b c d e f g") == ["anna", "fin", "a", "b", "c", "d"]


@pytest.mark.django_db
def test_people_are_found_by_any_spelling_of_their_name(org):
    person = EmployeeFactory(first_name="İlker", last_name=unicodedata.normalize("NFD", "Müller"), unit=org["sales"])
    actor = org["employee"].user
    for typed in ("ilker muller", "İlker Mül", "mul sales"):
        assert list(selectors.employee_list_for(actor=actor, q=typed)) == [person], typed
    assert list(selectors.employee_list_for(actor=actor, q="ller")) == []


@pytest.mark.django_db
def test_search_reindex_rebuilds_lost_words(org):
    before = SearchToken.objects.count()
    SearchToken.objects.all().delete()
    assert list(selectors.employee_list_for(actor=org["employee"].user, q="lena")) == []
    call_command("search_reindex", stdout=io.StringIO())
    assert SearchToken.objects.count() == before
    assert list(selectors.employee_list_for(actor=org["employee"].user, q="lena")) == [org["lead"]]


@pytest.mark.django_db
def test_search_words_compare_byte_by_byte_on_postgresql():
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite compares text as bytes (BINARY) already
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'people_searchtoken' AND column_name = 'token'"
        )
        assert cursor.fetchone() == ("C",)
