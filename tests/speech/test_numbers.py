from hypothesis import given
from hypothesis import strategies as st

import pytest

from bot.speech.numbers import say_digits, say_number, say_pairs, words_to_digits


@pytest.mark.parametrize("spoken, digits", [
    ("where is order one zero four two", "where is order 1042"),
    ("start picking order ten forty two", "start picking order 1042"),
    ("order one oh four two", "order 1042"),
    ("twelve oh five", "1205"),
    ("received fifty widgets", "received 50 widgets"),
    ("one hundred and five boxes", "105 boxes"),
    ("one thousand forty two", "1042"),
    ("two thousand three hundred twelve", "2312"),
    ("twenty oh one", "2001"),
    ("Received Twenty Five boxes", "Received 25 boxes"),
])
def test_spoken_numbers_become_digits(spoken, digits):
    assert words_to_digits(spoken) == digits


@pytest.mark.parametrize("text", ["oh no", "call back acme tomorrow", "rock and roll", ""])
def test_text_without_numbers_is_unchanged(text):
    assert words_to_digits(text) == text


def test_other_languages_are_left_alone():
    assert words_to_digits("заказ one two", "ru") == "заказ one two"


@given(st.integers(min_value=0, max_value=999_999))
def test_cardinals_round_trip(n):
    assert words_to_digits(say_number(n)) == str(n)


@given(st.integers(min_value=1000, max_value=9999))
def test_order_numbers_read_in_pairs_or_digits_round_trip(n):
    assert words_to_digits(say_pairs(n)) == str(n)
    assert words_to_digits(say_digits(str(n))) == str(n)
