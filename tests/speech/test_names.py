"""Misheard names put right against the company's names, and ordinary speech left alone."""
from __future__ import annotations

import pytest

from bot.speech.names import fix_names, in_script_of
from bot.speech.whisper_stt import echoes_names

NAMES = ["Wall plugs 8mm", "monitoare", "Keyboard", "Pirin Hotels", "Danube Pharma", "Osogovo Farms", "Nessebar Resorts", "Blue Ocean Ltd", "Initech EOOD",
         "Lotus Dental", "Office chair ergonomic", "office chairs", "Green tea 100 bags", "green tea", "ООО Вектор",
         "Black Sea Cafés", "Maria Petrova", "Carton boxes", "Red widgets", "Conference chair", "Hand soap"]


@pytest.mark.parametrize("heard, fixed", [
    ("called perrin hotels about the desks", "called Pirin Hotels about the desks"),
    ("What is the phone number for Tenube Pharma?", "What is the phone number for Danube Pharma?"),
    ("we met Ossogovo farms today", "we met Osogovo Farms today"),
    ("remind me to call Nessa bar resorts", "remind me to call Nessebar Resorts"),
    ("coffee for Black See Cafes", "coffee for Black Sea Cafés"),
    # what was said, spelt the company's way: no legal form nobody said
    ("new order for Blue Oshen, 20 boxes", "new order for Blue Ocean, 20 boxes"),
])
def test_a_misheard_name_becomes_the_known_one(heard, fixed):
    text, made = fix_names(heard, NAMES)
    assert text == fixed
    assert len(made) == 1 and made[0][1] in fixed


@pytest.mark.parametrize("heard", [
    "new order for Blue Ocean, 20 boxes",  # heard right (legal form dropped): kept, "for" not swallowed
    "check stock of office chairs",
    "how much green tea is left",
    "the lotus position is not a name",  # one word of a two-word name is not the name
    "move 20 carton boxes from bin B-0103",
    "and 20 wall plugs, same address",  # a name never adds or changes a number ("8mm")
    "40 monitor all fine",  # one word is not swapped for another ("monitoare": a Romanian alias)
    "I'll call them on Tuesday at ten",
    "order ten boxes of paper",  # a number said in words is never part of a name ("carton boxes")
    "received a hundred widgets",
    "bin A-01-02 has 37 widgets",  # part of a longer name heard right: the rest was not said ("red widgets")
    "they are planning three conferences",
    "19 hand soaps",  # a known name in the plural is heard right
    "create customer Nessebar Resort",
    "",
])
def test_ordinary_speech_is_left_alone(heard):
    assert fix_names(heard, NAMES) == (heard, [])


def test_a_legal_form_said_stays():
    assert fix_names("send it to Blue Oshen Ltd", NAMES)[0] == "send it to Blue Ocean Ltd"


def test_no_names_no_change():
    assert fix_names("called perrin hotels", []) == ("called perrin hotels", [])


def test_only_latin_names_are_for_the_english_model():
    assert in_script_of("Black Sea Cafés", "en") and not in_script_of("ООО Вектор", "en")
    assert in_script_of("ООО Вектор", "ru")


@pytest.mark.parametrize("text, echo", [
    ("ACME Ltd., Arda Logistics, Arda Logistics,", True),
    ("Pirin Hotels, Danube Pharma.", True),  # two names back to back, in the prompt's order
    ("new order for Pirin Hotels, and Danube Pharma wants a call", False),
    ("order for Danube Pharma, then one for Pirin Hotels", False),
    ("check stock of green tea", False),
])
def test_the_prompt_read_back_is_recognised(text, echo):
    assert echoes_names(text, ["ACME Ltd.", "Arda Logistics", "Pirin Hotels", "Danube Pharma", "green tea"]) is echo


@pytest.mark.parametrize("raw, probs, kept", [
    ("call them back on Thursday. Thank you.", [0.9] * 5 + [0.1, 0.9], "call them back on Thursday."),  # doubted: dropped
    ("call them back on Thursday. Thank you.", [0.9] * 5 + [0.6, 0.9], "call them back on Thursday. Thank you."),  # said
    ("I need to call them. You", [0.9] * 5 + [0.05], "I need to call them."),
    ("Thank you.", [0.1, 0.9], "Thank you."),  # nothing else said: left for the person to see
    ("tell you", [0.9, 0.1], "tell you"),  # "you" only as a sentence of its own
])
def test_a_doubted_sign_off_at_the_end_is_dropped(raw, probs, kept):
    from bot.speech.whisper_stt import drop_sign_off

    words = list(zip(raw.split(), probs, strict=True))
    text, left = drop_sign_off(raw, words, 0.2)
    assert text == kept
    assert len(left) == len(kept.split())
