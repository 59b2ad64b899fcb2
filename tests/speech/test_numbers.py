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


@pytest.mark.parametrize("spoken, digits", [
    ("заказ один ноль четыре два", "заказ 1042"),
    ("где заказ тысяча сорок два", "где заказ 1042"),
    ("десять сорок два", "1042"),
    ("получили пятьдесят коробок", "получили 50 коробок"),
    ("две тысячи триста двенадцать", "2312"),
    ("сто двадцать пять", "125"),
    ("одна тысяча двести", "1200"),
])
def test_russian_numbers_become_digits(spoken, digits):
    assert words_to_digits(spoken, "ru") == digits


def test_languages_without_a_table_are_left_alone():
    assert words_to_digits("поръчка едно две", "bg") == "поръчка едно две"
    assert words_to_digits("заказ one two", "ru") == "заказ one two"  # English words in Russian text stay words


@given(st.integers(min_value=0, max_value=999_999))
def test_cardinals_round_trip(n):
    assert words_to_digits(say_number(n)) == str(n)


@given(st.integers(min_value=1000, max_value=9999))
def test_order_numbers_read_in_pairs_or_digits_round_trip(n):
    assert words_to_digits(say_pairs(n)) == str(n)
    assert words_to_digits(say_digits(str(n))) == str(n)
