"""What each step's answer looks like, and what each flow is called, declared in one place.

In a step whose answer is a code (a scan, a bin, a lot) or a number, a sentence or a
question is no answer: the engine tells the person which flow they are in (answering
a stock or order question on the side) instead of taking the words as a product code.
In the other steps only a question mark marks a message that is no answer (a name,
a date or an order line never carries one); free-text steps (notes, reminders, SMS
texts) are not listed: anything typed there is the answer."""
from __future__ import annotations

from domain.errors import N_

from ..router import Router

CODE_STEPS = {"pick.work", "task.scan_bin", "receive.lines", "receive.review", "receive.lot", "count.bin", "count.lines",
              "count.lot", "count.finish", "move.from", "move.product", "move.qty", "move.to"}
QUESTION_STEPS = {"order.customer", "order.lines", "order.delivery", "order.confirm", "log.customer", "deal.customer",
                  "deal.amount", "deal.close", "dealmove.customer", "rem.when", "newcust.phone", "merge.customer",
                  "card.customer", "po.confirm_date", "receive.expiry", "count.expiry"}
FLOW_NAMES = {"pick": N_("picking an order"), "task": N_("a put-away"), "receive": N_("receiving goods"),
              "count": N_("counting a bin"), "move": N_("moving stock"), "order": N_("a new order"),
              "log": N_("logging a call"), "deal": N_("a new deal"), "dealmove": N_("updating a deal"),
              "rem": N_("a reminder"), "newcust": N_("a new customer"), "merge": N_("merging customers"),
              "card": N_("finding a customer"), "po": N_("confirming a purchase order")}


def register(router: Router) -> None:
    router.code_steps |= CODE_STEPS
    router.question_steps |= QUESTION_STEPS
    router.flow_names.update(FLOW_NAMES)
