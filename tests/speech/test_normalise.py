"""What a recogniser wrote -> what the parser reads (voice notes and Twilio calls alike)."""
from __future__ import annotations

import pytest

from bot.speech.normalise import normalise_spoken
from bot.twilio.voice_webhook import spoken_digits


@pytest.mark.parametrize("heard, wanted", [
    ("where is order ten forty two", "where is order 1042"),
    ("pick c two five", "pick C-25"),
    ("forty five boxes", "45 boxes"),
    ("Forty-five boxes, please.", "45 boxes, please."),
    ("Where is order 1, 0, 4, 2?", "Where is order 1042?"),
    ("order 1 0 4 2", "order 1042"),
    ("Where we order 1, 0, 42.", "Where we order 1042."),  # tiny.en on some CPUs: digit by digit, the last two together
    ("is it order 10 42?", "is it order 1042?"),
    ("1,042 units", "1042 units"),
    ("take them from bin C 25", "take them from bin C-25"),
    ("Bin C25 is empty", "Bin C-25 is empty"),
    ("move it from a 12 to b 3", "move it from A-12 to B-3"),
    ("count bin A-01-02", "count bin A-01-02"),
    ("one hundred and five boxes", "105 boxes"),
    ("from dock into a 0-4-0-2, done", "from dock into A-04-02, done"),  # a leading zero: a bin, not an article
    ("put it in a zero one zero three", "put it in A-01-03"),  # zone, aisle, level: the company's bins
    ("bin a zero one zero two has thirty seven blue widgets", "bin A-01-02 has 37 blue widgets"),
    ("so b zero four zero two, I count a hundred and twelve pieces", "so B-04-02, I count 112 pieces"),
    ("remind me to chase P O zero zero three one tomorrow", "remind me to chase PO-0031 tomorrow"),
    ("two hundred of W R I zero one two", "200 of WRI-012"),
    ("P.O. 0031 arrived", "PO-0031 arrived"),
    ("P-O-0012 just arrived.", "PO-0012 just arrived."),  # Whisper spells letters with hyphens
    ("C 25 is empty", "C-25 is empty"),
    ("um starting on eleven oh five now", "um starting on 1105 now"),
    ("remind me to call Acme tomorrow at ten thirty", "remind me to call Acme tomorrow at 10:30"),
    ("call them at eleven oh five", "call them at 11:05"),
])
def test_english(heard, wanted):
    assert normalise_spoken(heard, "en") == wanted


@pytest.mark.parametrize("text", [
    "I need a 5 pack", "a 0 balance", "items 1, 2, and 3", "Bolt M8x30", "3.5 kg", "call Acme tomorrow", "oh no", "",
])
def test_left_alone(text):
    assert normalise_spoken(text, "en") == text


@pytest.mark.parametrize("heard, wanted", [
    # the bug: a letter and numbers that were never a code became one ("bin C-25" out of unrelated words)
    ("it's 5 boxes", "it's 5 boxes"),
    ("we need 2 x 4 boards", "we need 2 x 4 boards"),
    ("vitamin C 25 mg", "vitamin C 25 mg"),
    ("Section C. 25 units arrived", "Section C. 25 units arrived"),
    ("plan b 2 then", "plan b 2 then"),
    ("I see two five boxes", "I see 2 5 boxes"),
    ("the meeting ten thirty was moved", "the meeting 10 30 was moved"),
    ("order 10, 20 boxes of paper", "order 10, 20 boxes of paper"),  # two quantities, not an order number
])
def test_codes_only_where_a_code_is_plausible(heard, wanted):
    assert normalise_spoken(heard, "en") == wanted


@pytest.mark.parametrize("heard, wanted", [
    # a code read digit by digit, then the quantity: two numbers, not one code
    ("counting b zero two zero four fourteen boxes of photo paper", "counting B-02-04 14 boxes of photo paper"),
    ("cycle count a zero three zero four wri zero one four one hundred twelve pieces", "cycle count A-03-04 WRI-014 112 pieces"),
    ("count for a zero two zero two seven sets of markers", "count for A-02-02 7 sets of markers"),  # a bin has four digits
    ("an order for blue ocean pap zero zero three twenty reams", "an order for blue ocean PAP-003 20 reams"),
    # a product code said as written, letters spelt before an order number
    ("stock for pap zero zero one", "stock for PAP-001"),
    ("what's the status of s o eleven oh seven", "what's the status of SO-1107"),
    ("p o twenty six oh seven is in", "PO-2607 is in"),
    # days and times as the date reader knows them
    ("remind me on the twenty fifth to review prices", "remind me on the 25th to review prices"),
    ("set a reminder friday nine thirty send the contract", "set a reminder friday 9:30 send the contract"),
    # ordinary words stay words
    ("from the 0102 batch", "from the 0102 batch"),
    ("I have a 500", "I have a 500"),
    ("uh testing testing one two three", "uh testing testing 123"),
    # the way Whisper writes what was said
    ("On 9 pallets in B-06, 01.", "On 9 pallets in B-06-01."),  # a bin's aisle and level written apart
    ("What's in bin B-0.5-0.2?", "What's in bin B-05-02?"),  # "zero five" written as a decimal
    ("Move it to C-0.3.", "Move it to C-03."),
    ("in B-0.05, 0.01", "in B-0.05, 0.01"),  # not one digit after the point: not the form of a bin's part
    ("the price is 0.5 euro, bin B-12", "the price is 0.5 euro, bin B-12"),
    ("Pick order 1042 from bin C-25, 45 boxes.", "Pick order 1042 from bin C-25, 45 boxes."),  # a bin and a count stay
    ("Put the coffee away into be 0402.", "Put the coffee away into B-04-02."),  # the letter heard as a word
    ("Reminds me at 4 p.m. to check the dock.", "remind me at 4 p.m. to check the dock."),
    ("she reminds me of him", "she reminds me of him"),
    ("I'll try them again tomorrow at 1030.", "I'll try them again tomorrow at 10:30."),  # a time without its colon
    ("order 1042 by 1130 on friday", "order 1042 by 11:30 on friday"),
    ("pick 40 at 1042 boxes", "pick 40 at 1042 boxes"),
    ("Counting P-02-0414 boxes", "Counting P-02-04 14 boxes"),  # a bin, then the count
])
def test_codes_and_numbers_told_apart(heard, wanted):
    assert normalise_spoken(heard, "en") == wanted


@pytest.mark.parametrize("heard, wanted", [
    ("заказ тысяча сорок два", "заказ 1042"),
    ("сорок пять коробок", "45 коробок"),
    ("где заказ десять сорок два?", "где заказ 1042?"),
    ("ячейка c двадцать пять", "ячейка C-25"),
    ("заказ one oh four two", "заказ 1042"),  # English numbers in a Russian sentence
])
def test_russian(heard, wanted):
    assert normalise_spoken(heard, "ru") == wanted


def test_twilio_transcripts_get_the_same_treatment():
    assert spoken_digits("Ten forty-two.", "en") == "1042."
    assert spoken_digits("1, 0, 4, 2.", "en") == "1042."
    assert spoken_digits("заказ тысяча сорок два", "ru") == "заказ 1042"
