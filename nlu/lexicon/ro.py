"""Romanian word lists. Matching ignores diacritics (ș=s, ă=a...), so each
form is written once, with or without them."""

NUMBERS = {
    "zero": 0, "unu": 1, "una": 1, "doi": 2, "două": 2, "trei": 3, "patru": 4, "cinci": 5, "șase": 6,
    "șapte": 7, "opt": 8, "nouă": 9, "zece": 10, "unsprezece": 11, "unșpe": 11, "doisprezece": 12,
    "douăsprezece": 12, "doișpe": 12, "treisprezece": 13, "treișpe": 13, "paisprezece": 14, "paișpe": 14,
    "cincisprezece": 15, "cinșpe": 15, "șaisprezece": 16, "șaișpe": 16, "șaptesprezece": 17, "șaptișpe": 17,
    "optsprezece": 18, "optișpe": 18, "nouăsprezece": 19, "nouășpe": 19, "douăzeci": 20, "douăj": 20,
    "treizeci": 30, "patruzeci": 40, "cincizeci": 50, "șaizeci": 60, "șaptezeci": 70, "optzeci": 80,
    "nouăzeci": 90, "sută": 100, "suta": 100, "duzină": 12,
}
SCALES = {"sute": 100, "sută": 100, "mie": 1000, "mii": 1000, "k": 1000, "mil": 1_000_000, "milion": 1_000_000, "milioane": 1_000_000}
NUMBER_JOINERS = {"și", "de"}
# "nouă" is also "new", "una" also "one of"
AMBIGUOUS_NUMBERS = {"nouă", "una", "unu"}
ONE_BEFORE_SCALE = {"o", "un"}

UNITS = {
    "bucată": ["bucată", "bucăți", "buc", "buc.", "bucatele", "bucata"],
    "cutie": ["cutie", "cutii", "cutia", "cutiile"],
    "bax": ["bax", "baxuri", "baxul"],
    "carton": ["carton", "cartoane", "bax-uri"],
    "palet": ["palet", "paleți", "paletul", "paleti", "palete"],
    "pachet": ["pachet", "pachete", "pachetul"],
    "sac": ["sac", "saci", "sacul"],
    "rolă": ["rolă", "role"],
    "sticlă": ["sticlă", "sticle", "flacon", "flacoane", "sticla"],
    "set": ["set", "seturi"],
    "pereche": ["pereche", "perechi"],
    "top": ["top", "topuri", "topul"],
    "kg": ["kg", "kilogram", "kilograme", "kile", "kilo"],
    "g": ["g", "gr", "gram", "grame"],
    "t": ["tonă", "tone"],
    "l": ["l", "litru", "litri"],
    "m": ["m", "metru", "metri"],
    "ladă": ["ladă", "lăzi", "naveta", "navete"],
}

# the company's unit code for each unit above (docs/contracts/nlu.md): the same in every language
UNIT_CODES = {
    "ladă": "crate",
    "bucată": "pcs", "cutie": "box", "bax": "case", "carton": "carton", "palet": "pallet",
    "pachet": "pack", "sac": "bag", "rolă": "roll", "sticlă": "bottle", "set": "set", "pereche": "pair",
    "top": "ream", "kg": "kg", "g": "g", "t": "t", "l": "l", "m": "m",
}

CURRENCIES = {
    "RON": ["lei", "leu", "ron", "lej"],
    "EUR": ["euro", "eur", "€", "euroi"],
    "USD": ["dolari", "dolar", "$", "usd"],
    "BGN": ["lv", "leva", "leva", "bgn"],
    "RUB": ["ruble", "rub"],
    "CNY": ["yuani", "yuan", "cny"],
    "GBP": ["lire", "gbp", "£"],
}

STAGES = {
    "new": ["lead nou", "lead", "un lead", "lead-ul", "stadiu nou", "etapa noua", "stadiul nou", "etapă nouă", "etapa nouă"],
    "qualified": ["calificat", "calificată", "calificare", "qualified"],
    "proposal": ["ofertă", "oferta", "propunere", "propunerea", "propunerea de pret", "oferta de pret", "am trimis oferta", "proposal"],
    "negotiation": ["negociere", "negocieri", "negociem", "negocierea", "negotiation"],
    "won": ["câștigate", "la câștigate", "câștigat", "câștigată", "am câștigat", "semnat", "au semnat", "închis cu succes", "won"],
    "lost": ["pierdute", "la pierdute", "mort", "pierdut", "pierdută", "am pierdut", "pierdem", "au refuzat", "refuzat", "a picat", "lost", "ratat", "a renuntat", "a renunțat", "au renuntat", "au renunțat", "renunta", "renunță", "s-au razgandit", "s-au răzgândit"],
}

CHANNELS = {
    "call": ["am sunat la", "sunat la", "apel cu", "am vorbit la telefon", "la tel", "am sunat", "sunat", "am vorbit", "vorbit", "apel", "telefon", "la telefon", "m-au sunat", "sunat-o", "sunat-o pe", "am sunat-o", "a sunat", "au sunat", "ne-a sunat", "m-a sunat", "telefonic", "convorbire", "nu raspunde", "nu a raspuns", "nu au raspuns", "n-a raspuns", "apel de la", "am incercat sa sun", "i-am sunat", "l-am sunat", "suna", "sunam"],
    "meeting": ["am fost azi la", "am fost ieri la", "am fost", "intalnire cu", "m-am văzut cu", "m-am vazut cu", "ne-am văzut", "ne-am vazut", "am fost pe la", "întâlnire", "m-am întâlnit", "ne-am întâlnit", "am fost la", "vizită", "am vizitat", "întâlnirea", "am băut o cafea", "o cafea cu", "cafea cu", "am luat prânzul", "prânz cu", "am trecut pe la", "am dat o fugă", "au trecut pe la", "am dat o fuga", "vizita la", "vizita", "am fost la ei", "am mers la", "in vizita", "prezentare la", "intalnire cu", "ne-am intalnit cu", "am fost in vizita"],
    "email": ["email", "e-mail", "mail", "mailul", "am scris", "i-am scris", "mail de la", "pe mail", "i-am trimis mail", "pe email", "e-mailul", "emailul", "prin email", "prin mail", "pe e-mail", "email de la", "mailuri", "emailuri", "ne-au scris pe mail"],
    "sms": ["sms", "mesaj", "whatsapp", "i-am dat mesaj", "pe whatsapp", "pe viber", "viber", "mesaj pe", "i-am dat un mesaj", "telegram", "sms de la", "mesajul", "whatsapp-ul", "mesaj de la", "pe sms", "prin sms"],
}
# words that do not say how the person was reached in the end ("wrote to", "no answer"): a later, plainer
# channel word wins ("wrote to them on viber", "no answer, texted him")
CHANNEL_VAGUE = ["am scris", "i-am scris", "nu raspunde", "nu a raspuns", "nu au raspuns", "n-a raspuns"]

TODAY = ["azi", "astăzi", "diseară", "deseară", "în seara asta"]
TOMORROW = ["mâine", "maine", "mîine"]
AFTER_TOMORROW = ["poimâine"]
YESTERDAY = ["ieri"]
WEEKDAYS = [
    ["luni", "lunea"], ["marți", "marția"], ["miercuri", "miercurea"], ["joi", "joia"],
    ["vineri", "vinerea"], ["sâmbătă", "sâmbăta"], ["duminică", "duminica"],
]
NEXT = ["viitoare", "viitor", "următoare", "următor", "urmatoare", "ce vine"]
THIS = ["pe", "până", "asta", "aceasta"]
NEXT_WEEK = ["săptămâna viitoare", "saptamana viitoare", "săptămâna următoare"]
IN_N = ["peste", "în"]
AFTER_N = []
DAY_WORDS = ["zi", "zile"]
WEEK_WORDS = ["săptămână", "săptămâni"]
HOUR_WORDS = ["oră", "ore"]
AT_TIME = ["la", "pe la", "ora", "la ora", "în jur de", "pana la"]
AM = ["dimineața", "dimineata"]
PM = ["seara", "după-amiază", "dupa-amiaza", "după amiază"]
NOON = ["prânz"]
MONTHS = ["ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"]

ORDER_WORDS = ["comanda", "comandă", "comenzii", "comanda nr", "comanda nr.", "comandei", "livrarea", "livrare", "factura", "coletul"]
CUSTOMER_WORDS = ["client", "clientul", "clientului", "clienta", "firma", "firmei", "compania", "companiei"]
SUPPLIER_WORDS = ["furnizor", "furnizorul", "furnizorului"]
PRODUCT_WORDS = ["produs", "produsul", "articol", "articolul"]
FOR_WORDS = ["pentru", "pt", "pt."]
WITH_WORDS = ["cu", "despre"]
FROM_WORDS = ["din", "de la", "de pe"]
TO_WORDS = ["în", "la", "pe", "spre", "->", "→"]
IN_WORDS = ["în", "pe", "la"]
BIN_WORDS = ["locația", "locatia", "locație", "raft", "raftul", "zona", "celula", "poziția", "pozitia", "bin"]
OF_WORDS = ["de"]
REMIND_WORDS = ["amintește-mi să", "aminteste-mi sa", "amintește-mi", "aminteste-mi", "reamintește-mi să", "reaminteste-mi sa", "reamintește-mi", "adu-mi aminte să", "adu-mi aminte", "memento", "nu uita să", "nu uita sa", "să nu uit să", "sa nu uit sa"]
LOST_BECAUSE = ["pentru că", "pentru ca", "din cauza", "motiv", "motivul", "deoarece"]
NOTE_WORDS = ["notă", "notă:", "nota:", "comentariu:", "mentiune:", "mențiune:", "observatie:", "observație:", "obs:"]
STOP = {
    "transfera", "transferă", "trimite", "adu",
    "pune", "pune-l", "pune-le", "muta", "mută", "mutati",
    "lunar", "saptamanal", "săptămânal", "zilnic", "pe luna", "pe lună",
    "pentru", "pt", "din", "de", "la", "în", "pe", "cu", "și", "sau", "până", "te", "rog", "urgent", "azi", "mâine",
    "ieri", "noi", "ei", "ele", "el", "ea", "ne", "mi", "le", "avem", "are", "au", "există", "rămas", "mai",
    "afacerea", "afacere", "deal", "dealul", "comanda", "livrare", "livrați", "vor", "vrea", "trebuie", "au zis",
    "dar", "apoi", "ce", "câte", "câți", "unde", "când", "cum", "depozit", "stoc", "client", "furnizor", "preț",
    "asta", "acest", "această", "tot", "toate", "toți", "acolo", "aici", "acum", "pierdut", "câștigat", "negociere",
    "etapa", "status", "sosit", "primit", "am", "a", "este", "e", "sunt", "că", "nu", "da", "buc", "bucăți", "vă",
    "să", "se", "o", "un", "mult", "multe", "tel", "tel.", "telefon", "nr", "nr.", "număr", "contact",
}
LEADING_DROP = {"noi", "noile", "noul", "nou", "noul", "nouă", "noua", "un", "o", "niște", "nişte", "toate", "noastre", "nostru"}
DEAL_WORDS = ["afacerea", "afacere", "deal", "dealul", "oportunitatea", "oportunitate", "contractul", "tranzacția"]
STOCK_WORDS = ["câte", "câți", "cât", "stoc de", "stocul de", "stocul la", "stoc la", "avem", "mai avem"]
