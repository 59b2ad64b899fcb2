"""English word lists."""

NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "dozen": 12, "couple": 2,
}
SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000, "mln": 1_000_000}
NUMBER_JOINERS = {"and", "-"}
AMBIGUOUS_NUMBERS = {"one"}
# articles that read as "1" only in front of a scale word ("a hundred")
ONE_BEFORE_SCALE = {"a", "an", "one"}

UNITS = {
    "piece": ["piece", "pieces", "pcs", "pc", "pce", "pcs.", "pieces."],
    "unit": ["unit", "units"],
    "box": ["box", "boxes", "bx"],
    "case": ["case", "cases"],
    "carton": ["carton", "cartons", "ctn", "ctns"],
    "pallet": ["pallet", "pallets", "plt", "plts"],
    "pack": ["pack", "packs", "package", "packages", "pkg", "pk", "pks", "packets", "packet"],
    "bag": ["bag", "bags", "sack", "sacks"],
    "roll": ["roll", "rolls", "rls"],
    "bottle": ["bottle", "bottles", "btl", "btls"],
    "can": ["can", "cans", "tin", "tins"],
    "set": ["set", "sets"],
    "pair": ["pair", "pairs"],
    "ream": ["ream", "reams"],
    "sheet": ["sheet", "sheets"],
    "kg": ["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"],
    "g": ["g", "gram", "grams", "gr"],
    "t": ["ton", "tons", "tonne", "tonnes"],
    "l": ["l", "liter", "liters", "litre", "litres", "ltr"],
    "m": ["meter", "meters", "metre", "metres"],
    "drum": ["drum", "drums"],
    "crate": ["crate", "crates"],
    "bundle": ["bundle", "bundles"],
}

# the company's unit code for each unit above (docs/contracts/nlu.md): the same in every language
UNIT_CODES = {
    "piece": "pcs", "unit": "pcs",
}

CURRENCIES = {
    "EUR": ["eur", "euro", "euros", "€", "eu"],
    "USD": ["usd", "$", "dollar", "dollars", "bucks", "us$"],
    "GBP": ["gbp", "£", "pound", "pounds", "quid"],
    "RUB": ["rub", "ruble", "rubles", "rouble", "roubles", "₽"],
    "BGN": ["bgn", "lev", "leva", "lv", "лв", "лв."],
    "RON": ["ron", "lei", "leu"],
    "CNY": ["cny", "rmb", "yuan", "¥"],
}

STAGES = {
    "new": ["new lead", "a new lead", "fresh lead", "lead:", "lead", "as a lead", "stage lead", "stage: new", "at stage new", "new stage", "stage new", "back to new"],
    "qualified": ["qualified", "qualify", "qualification"],
    "proposal": ["proposal", "proposal stage", "quote sent", "sent a quote", "sent the quote", "sent an offer", "offer sent", "quoted"],
    "negotiation": ["negotiation", "negotiations", "negotiating", "negotiate"],
    "won": ["won", "closed won", "signed", "they signed", "deal closed", "we got it", "win", "closed the deal"],
    "lost": ["lost", "closed lost", "dead", "fell through", "they declined", "declined", "went with a competitor", "rejected", "lose"],
}

CHANNELS = {
    "call": ["calld", "caled", "cald", "calld up", "phond", "talkd", "spoke w", "talked w", "left msg", "left a message", "left a msg", "on the phone w", "spoke", "talked", "chatted with", "rang up", "called up", "called", "call", "calls", "phoned", "phone call", "rang", "spoke with", "spoke to", "got off the phone with", "off the phone with", "on the phone with", "phone with", "had a call with", "talked to", "talked with", "on the phone", "calling", "call with", "voicemail", "no answer", "off the phone", "phone", "by phone", "over the phone", "rang back", "called back", "rang us", "missed call", "couldn't reach", "could not reach", "didn't pick up", "not picking up", "video call", "zoom call", "teams call", "left vm", "tried calling"],
    "meeting": ["met w", "met up with", "mtg w", "visited them", "at the fair", "trade fair", "met", "meeting", "met with", "visited", "visit", "saw", "in person", "lunch with", "demo with", "mtg", "lunch", "lunch w", "had lunch", "had coffee with", "coffee with", "coffee w", "coffee w/", "had coffee", "grabbed coffee with", "grabbed lunch with", "dropped by", "stopped by", "swung by", "popped in", "popped by", "popped into", "came by", "came over", "bumped into", "ran into", "catch-up w", "catch up with", "dropped in", "met them", "site visit", "in-person", "face to face", "f2f", "at their office", "on site", "onsite", "went to see", "visiting", "showroom visit", "demo at"],
    "email": ["emaild", "emailed us", "e-mailed us", "email", "emailed", "e-mail", "e-mailed", "mailed", "wrote to", "mail", "wrote", "got a mail", "by mail", "by email", "sent an email", "replied by mail", "replied by email", "via email", "via e-mail", "by e-mail", "email from", "e-mail from", "mail from", "sent an e-mail", "inbox", "emails", "emailing"],
    "sms": ["sms", "texted", "text message", "messaged", "whatsapp", "viber", "pinged", "txt", "txted", "whatsapp'd", "whatsapped", "viber'd", "vibered", "on whatsapp", "on viber", "viber msg", "telegram", "on teams", "dm'd", "dmed", "text", "texts", "text from", "sent a text", "sms'd", "signal", "messenger", "wa msg", "sms from"],
}
# words that do not say how the person was reached in the end ("wrote to", "no answer"): a later, plainer
# channel word wins ("wrote to them on viber", "no answer, texted him")
CHANNEL_VAGUE = ["wrote", "wrote to", "no answer", "didn't pick up", "not picking up", "couldn't reach", "could not reach"]

# date words
TODAY = ["today", "tonight", "this evening", "this morning", "this afternoon", "tday", "2day"]
TOMORROW = ["tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "2moro", "tomorro"]
AFTER_TOMORROW = ["day after tomorrow", "the day after tomorrow"]
YESTERDAY = ["yesterday", "yday"]
WEEKDAYS = [
    ["monday", "mon", "mondays"], ["tuesday", "tue", "tues"], ["wednesday", "wed", "wednsday", "wendsday"],
    ["thursday", "thu", "thur", "thurs"], ["friday", "fri", "fridays", "firday"], ["saturday", "sat"], ["sunday", "sun"],
]
NEXT = ["next", "nxt", "coming"]          # "next friday" = friday of next week
THIS = ["this", "on", "by", "until", "till"]
NEXT_WEEK = ["next week"]
IN_N = ["in"]                                        # "in 3 days"
AFTER_N = ["later", "from now"]
DAY_WORDS = ["day", "days"]
WEEK_WORDS = ["week", "weeks"]
HOUR_WORDS = ["hour", "hours", "hr", "hrs", "h"]
AT_TIME = ["at", "@", "by", "around", "about"]
AM = ["am", "a.m.", "in the morning", "morning"]
PM = ["pm", "p.m.", "in the evening", "in the afternoon", "evening", "afternoon", "tonight"]
NOON = ["noon", "midday"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
          "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december", "sept"]

# anchors for mentions
ORDER_WORDS = ["order", "orders", "ord", "order no", "order number", "so", "invoice", "shipment", "delivery", "po"]
CUSTOMER_WORDS = ["customer", "client", "account", "company"]
SUPPLIER_WORDS = ["supplier", "vendor"]
PRODUCT_WORDS = ["product", "item", "sku", "article"]
FOR_WORDS = ["for", "to"]            # "order ... for Acme", "send to Acme"
WITH_WORDS = ["with", "about", "w/", "w"]       # "deal with Acme", "history with Acme"
FROM_WORDS = ["from", "frm", "fr", "out of", "off"]
TO_WORDS = ["to", "into", "in to", "onto", "->", "→"]
IN_WORDS = ["in", "at", "on", "inside"]
BIN_WORDS = ["bin", "location", "loc", "shelf", "slot", "rack", "zone", "aisle", "cell"]
OF_WORDS = ["of"]
REMIND_WORDS = ["remind me to", "remind me", "reminder to", "reminder", "don't forget to", "dont forget to", "don't let me forget to", "set a reminder to", "remember to", "ping me to", "nudge me to", "reminder:", "ping me", "alert me", "nudge me", "rmd", "rmd:", "rmdr"]
LOST_BECAUSE = ["because", "because of", "due to", "reason", "reason:", "cause", "since"]
NOTE_WORDS = ["note", "note:", "notes:", "comment:", "comments:", "remark:", "nb:", "n.b.", "pls note:"]
# words that end a mention
STOP = {
    "transfer", "relocate", "bring", "send", "ship",
    "put", "move", "store", "place", "stow", "shift",
    "monthly", "weekly", "daily", "yearly", "per month", "a month",
    "for", "from", "to", "with", "at", "in", "on", "and", "by", "of", "please", "pls", "plz", "asap", "today",
    "tomorrow", "the", "a", "an", "we", "they", "he", "she", "it", "them", "us", "me", "do", "does", "did",
    "have", "has", "had", "is", "are", "was", "were", "be", "there", "left", "in stock", "deal", "order",
    "deliver", "delivery", "call", "back", "next", "this", "about", "their", "our", "my", "your", "into",
    "onto", "bin", "than", "that", "who", "which", "what", "how", "when", "where", "need", "needs", "want",
    "wants", "said", "says", "went", "goes", "wants", "ordered", "asked", "asks", "needs", "called", "signed", "but", "or", "so", "then", "tmrw", "asap", "till", "until", "before",
    "after", "due", "because", "via", "by", "yesterday", "here", "again", "now", "right", "all", "any",
    "stock", "warehouse", "inventory", "on hand", "available", "should", "would", "could", "will", "can",
    "customer", "supplier", "price", "is", "i", "you", "got", "get", "just", "ok", "okay", "too", "also",
    "r", "u", "ur", "tel", "tel.", "phone", "mobile", "number", "contact", "email", "ph", "ph.", "mob",
    "lost", "won", "negotiation", "proposal", "qualified", "stage", "status", "pipeline", "moved", "move",
    "new", "create", "add", "open", "update", "mark", "set", "change", "close", "closed", "make", "start", "log",
    "received", "arrived", "came", "in", "up", "out", "off", "over", "some", "more", "less", "about",
}
LEADING_DROP = {"new", "the", "a", "an", "our", "my", "some", "of", "any", "all", "those", "these", "them", "us", "more", "much", "many", "few"}
DEAL_WORDS = ["deal", "opportunity", "opp", "deals"]
STOCK_WORDS = ["stock level for", "stock levels of", "is there", "is there any", "are there", "are there any", "got any", "how many", "how much", "stock of", "stock for", "do we have", "do we still have", "any", "inventory of", "stock level of", "stock levels for", "check stock", "check stock of", "check stock for", "count of", "qty of", "quantity of", "availability of", "have we got"]
