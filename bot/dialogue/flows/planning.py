"""Replenishment plans in the chat: what to reorder, from whom, how much and why;
the whole plan as a spreadsheet; a chart of projected stock; approval into
draft purchase orders with one tap."""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from domain.errors import N_, NotFound
from domain.planning.approve import approve_suggestions
from domain.planning import PlanningConfig, supplier_performance
from domain.purchasing.orders import count_drafts
from domain.planning.reasons import explain
from domain.planning.run import run_plan

from ...formatting import format_number
from ...i18n import translate
from ..messages import Attachment, Button
from ..router import Route, Router
from ..turn import Turn, button_id

TOP = 5
SUPPLIER_BUTTONS = 6


async def plan_cmd(turn: Turn) -> None:
    from ...reports.planning import write_plan_xlsx

    warehouse = turn.args.strip().upper() or None
    result = await run_plan(turn.session, warehouse, config=_config(turn))
    performance = await supplier_performance(turn.session, today=turn.now().date())
    lines = [turn.tn("Plan for {products}: {n} product to reorder from {suppliers}.",
                     "Plan for {products}: {n} products to reorder from {suppliers}.", result.products_to_order,
                     products=turn.tn("{n} product", "{n} products", result.products),
                     suppliers=turn.tn("{n} supplier", "{n} suppliers", result.suppliers))]
    for s in result.suggestions[:TOP]:
        lines.append(turn.t("\u2022 {sku} {name} ({warehouse}): order {qty} from {supplier}", sku=s.sku, name=s.name,
                            warehouse=s.warehouse, qty=_n(turn, s.suggested_qty), supplier=s.supplier or "?"))
        lines.append(f"   {_reason(turn, s)}")
    drafts = await count_drafts(turn.session)
    if drafts:
        lines.append(turn.tn("{n} draft purchase order is not sent yet and doesn't count as on order: /po",
                             "{n} draft purchase orders are not sent yet and don't count as on order: /po", drafts))
    with tempfile.TemporaryDirectory() as tmp:
        path = await asyncio.to_thread(write_plan_xlsx, result, Path(tmp) / "plan.xlsx", performance,
                                       translate=_translate(turn), lang=turn.lang)
        xlsx = path.read_bytes()
    buttons = []
    if result.suggestions and result.run_id:
        per_supplier: dict[tuple[int, str], int] = {}
        for s in result.suggestions:
            if s.supplier_id is not None:
                per_supplier[(s.supplier_id, s.supplier)] = per_supplier.get((s.supplier_id, s.supplier), 0) + 1
        for (sid, code), n in sorted(per_supplier.items(), key=lambda kv: -kv[1])[:SUPPLIER_BUTTONS]:
            buttons.append([Button(turn.tn("Approve {supplier}: {n} line", "Approve {supplier}: {n} lines", n, supplier=code), f"plan_sup:{result.run_id}:{sid}")])
        buttons += [[Button(turn.t("Approve only {sku}", sku=s.sku), f"plan_line:{s.suggestion_id}")]
                    for s in result.suggestions[:TOP] if s.suggestion_id and s.supplier_id is not None]
        buttons.append([Button(turn.t("Approve all into draft POs"), f"plan_ok:{result.run_id}")])
        buttons += [[Button(turn.t("Chart: {sku}", sku=s.sku), f"plan_chart:{s.sku}:{s.warehouse}")] for s in result.suggestions[:3]]
    turn.say("\n".join(lines), buttons,
             attachments=[Attachment("document", f"plan-{result.today.isoformat()}.xlsx", xlsx, caption=turn.t("The whole plan"))])


async def on_approve(turn: Turn) -> None:
    await _approved(turn, await approve_suggestions(turn.session, run_id=button_id(turn.args), today=turn.now().date()))


async def on_approve_supplier(turn: Turn) -> None:
    run_id, _, supplier_id = turn.args.partition(":")
    await _approved(turn, await approve_suggestions(turn.session, run_id=button_id(run_id), supplier_id=button_id(supplier_id),
                                                    today=turn.now().date()), edit=False)


async def on_approve_line(turn: Turn) -> None:
    await _approved(turn, await approve_suggestions(turn.session, [button_id(turn.args)], today=turn.now().date()), edit=False)


async def _approved(turn: Turn, orders, edit: bool = True) -> None:
    if not orders:
        turn.say(turn.t("Nothing left to order: these suggestions were already approved or covered since."), edit=edit)
        return
    turn.say(turn.t("Draft purchase orders created: {numbers}. Send them to the suppliers (they count as on order only then).",
                    numbers=", ".join(po.number for po in orders)),
             [[Button(turn.t("Show {number}", number=po.number), f"po_show:{po.id}")] for po in orders[:SUPPLIER_BUTTONS]],
             edit=edit)


async def chart_cmd(turn: Turn) -> None:
    sku, _, warehouse = turn.args.partition(":") if ":" in turn.args else (turn.args.strip(), "", "")
    await _chart(turn, sku.strip().upper(), warehouse or None)


async def on_chart(turn: Turn) -> None:
    sku, _, warehouse = turn.args.partition(":")
    await _chart(turn, sku, warehouse or None)


async def _chart(turn: Turn, sku: str, warehouse: str | None) -> None:
    from ...reports.planning import projection_chart

    if not sku:
        turn.say(turn.t("Which product? Write /chart WID-001."))
        return
    result = await run_plan(turn.session, warehouse, save=False, config=_config(turn))
    line = next((ln for ln in result.lines if ln.sku.upper() == sku.upper()), None)
    if line is None:
        raise NotFound(N_("No plan line for {sku}: no demand, stock or orders."), sku=sku)
    with tempfile.TemporaryDirectory() as tmp:
        png = await asyncio.to_thread(projection_chart, line, Path(tmp) / "chart.png", result.today,
                                      translate=_translate(turn), lang=turn.lang)
        data = png.read_bytes()
    turn.say(_reason(turn, line), attachments=[Attachment("photo", f"{sku}.png", data,
                                                  caption=turn.t("{sku}: projected stock against the reorder point", sku=sku))])


def _translate(turn: Turn):
    return lambda template: translate(turn.lang, template)


def _reason(turn: Turn, line) -> str:
    """Why this quantity, in the reader's language and number format (the stored reason is English)."""
    return explain(line, _translate(turn), number=lambda x: format_number(x, turn.lang, max_decimals=2))


def _config(turn: Turn) -> PlanningConfig:
    return turn.services.settings.planning


def _n(turn: Turn, x: float) -> str:
    """A suggested quantity for the reader: whole from ten up, else at most two decimals."""
    return format_number(round(x) if abs(x) >= 10 else x, turn.lang, max_decimals=2)


def register(router: Router) -> None:
    router.declare(
        capability="purchasing", cost="report",
        commands={"plan": (plan_cmd, N_("what to reorder, from whom and why")),
                  "chart": (chart_cmd, N_("projected stock of a product: /chart WID-001"))},
        intents={"replenishment_plan": plan_cmd},
        callbacks={"plan_ok": Route(on_approve, "purchasing"), "plan_sup": Route(on_approve_supplier, "purchasing"),
                   "plan_line": Route(on_approve_line, "purchasing"), "plan_chart": on_chart},
    )
