"""The spoken set: what warehouse staff, sales reps and customers say, with
the facts that must survive transcription (order number, quantity, names).

The vocabulary is what the bot would pass from the database: the demo
company's English-script customer, supplier and product names.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    said: str  # what espeak-ng is told to say
    order: str | None = None  # order number as digits
    qty: str | None = None  # quantity as digits
    names: tuple[str, ...] = ()  # names that must appear (lower case words)
    free: bool = False  # phrased unlike any command template: measures what the domain bias costs

    @property
    def reference(self) -> str:
        """The transcript expected, numbers as digits (as the bot sees it)."""
        from bot.speech.numbers import words_to_digits

        return words_to_digits(self.said)


VOCABULARY = [
    "ACME Ltd.", "Blue Ocean Ltd", "Orbit Office OOD", "Northwind Traders", "Globex Corporation", "Initech EOOD",
    "Umbrella Supplies", "Stark Office", "Wayne Paper Co.", "Vitosha Print", "Pirin Hotels", "Black Sea Cafés",
    "Lotus Dental", "Sunrise School", "Maritsa Foods", "Iskar Auto", "Danube Pharma", "Serdika IT",
    "Nordic Supply", "Balkan Wholesale", "Dacia Import SRL", "OfficeX Distribution", "CleanPro BG",
    "Blue widget", "Red widget", "A4 paper", "Office chair", "Desk lamp", "Stapler", "Printer toner",
    "Cardboard box", "Coffee beans", "Hand soap", "Bolt M8x30",
]

CASES = [
    Case("where is order one zero four two", order="1042"),
    Case("start picking order ten forty two", order="1042"),
    Case("received fifty widgets", qty="50"),
    Case("call back acme tomorrow", names=("acme",)),
    Case("what is the status of order two seven one five", order="2715"),
    Case("where is order thirty one eighty", order="3180"),
    Case("my order number is five five zero nine", order="5509"),
    Case("pick order eighty eight twelve", order="8812"),
    Case("received one hundred blue widgets from nordic supply", qty="100", names=("blue", "widgets", "nordic", "supply")),
    Case("received twenty four office chairs", qty="24", names=("office", "chairs")),
    Case("we received three hundred boxes of a four paper", qty="300", names=("paper",)),
    Case("move forty widgets from a zero one zero two to b zero three zero one", qty="40"),
    Case("bin a zero two zero four has thirty seven staplers", qty="37", names=("staplers",)),
    Case("how many desk lamps do we have", names=("desk", "lamps")),
    Case("how many coffee beans do we have in the main warehouse", names=("coffee", "beans")),
    Case("ship twenty five boxes to globex", qty="25", names=("globex",)),
    Case("order twelve printer toners for initech", qty="12", names=("printer", "initech")),
    Case("called northwind traders they want sixty chairs", qty="60", names=("northwind", "traders")),
    Case("remind me to call stark office tomorrow at ten", qty="10", names=("stark", "office")),
    Case("new deal with umbrella supplies", names=("umbrella", "supplies")),
    Case("call back vitosha print on friday", names=("vitosha", "print")),
    Case("what is our history with lotus dental", names=("lotus", "dental")),
    Case("send eighteen cardboard boxes to pirin hotels", qty="18", names=("cardboard", "pirin", "hotels")),
    Case("meeting with danube pharma on monday", names=("danube", "pharma")),
    Case("add customer sunrise school", names=("sunrise", "school")),
    Case("move the globex deal to negotiation", names=("globex",)),
    Case("received seventy five hand soap from balkan wholesale", qty="75", names=("soap", "balkan", "wholesale")),
    Case("what should we reorder this week"),
    Case("what is on my list today"),
    Case("cancel"),
    # Free phrasing, not in the domain model's templates.
    Case("the truck with the paper arrived late this morning", names=("paper",), free=True),
    Case("acme says their invoice was paid last week", names=("acme",), free=True),
    Case("please tell the driver to wait at the gate", free=True),
    Case("forty boxes are damaged and need to go back to the supplier", qty="40", free=True),
]
