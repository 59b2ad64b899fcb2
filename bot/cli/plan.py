"""qm plan [--warehouse CODE] [--xlsx PATH] [--json] [--chart PNG [--sku SKU]]:
run replenishment planning now and print the suggestions with their reasons."""
from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("plan", help="run replenishment planning now: what to reorder, from whom, how much, and why")
    p.add_argument("--warehouse", metavar="CODE", help="plan one warehouse (default: all)")
    p.add_argument("--xlsx", metavar="PATH", help="also write the plan as a workbook")
    p.add_argument("--json", action="store_true", help="one JSON line per suggestion, then a summary line")
    p.add_argument("--chart", metavar="PNG", help="also draw projected stock against the reorder point")
    p.add_argument("--sku", help="product for --chart (default: the most urgent suggestion)")
    p.set_defaults(func=plan_cmd)


async def plan_cmd(args) -> int:
    from tqdm import tqdm

    from domain.errors import DomainError
    from domain.planning import run_plan, supplier_performance

    from ..app import command_services
    from ._common import settings_or_exit

    settings = settings_or_exit()
    config = settings.planning
    bar = tqdm(total=4, desc="planning", unit="step", file=sys.stderr, leave=False)

    def progress(step: str, done: int, total: int) -> None:
        bar.set_description(step)
        bar.n = done
        bar.refresh()

    try:
        async with command_services(settings) as services, services.uow() as uow:
            try:
                result = await run_plan(uow.session, warehouse_code=args.warehouse, progress=progress, config=config)
                performance = await supplier_performance(uow.session) if args.xlsx else None
            except DomainError as exc:
                bar.close()
                print(f"qm plan: {exc}", file=sys.stderr)
                return 2
            await uow.commit()
    finally:
        bar.close()

    chart = None
    if args.chart or args.xlsx:
        chart = _chart(result, args, config.chart_days)
        if chart is False:
            return 2
    if args.xlsx:
        from bot.reports.planning import write_plan_xlsx

        write_plan_xlsx(result, args.xlsx, performance, chart)
    if args.json:
        for line in result.suggestions:
            print(json.dumps(line.contract(), ensure_ascii=False))
        print(json.dumps(result.summary()))
        return 0
    if not result.suggestions:
        print("Nothing to reorder.")
    for line in result.suggestions:
        who = f"from {line.supplier}" if line.supplier else "(no supplier)"
        print(f"{line.sku} @ {line.warehouse} {who}: order {line.suggested_qty:g} — {line.reason}")
    s = result.summary()["summary"]
    print(f"{s['suggestions']} suggestion(s) for {s['suppliers']} supplier(s) over {s['products']} product(s) "
          f"in {s['seconds']:.2f} s (run {result.run_id})")
    if args.xlsx:
        print(f"workbook: {args.xlsx}")
    if args.chart:
        print(f"chart: {args.chart}")
    return 0


def _chart(result, args, days):
    """Draws the chart for --sku (or the most urgent suggestion); None when nothing to draw."""
    import tempfile

    from bot.reports.planning import projection_chart

    if args.sku:
        lines = [ln for ln in result.lines if ln.sku == args.sku]
        if not lines:
            print(f"qm plan: no planned product with SKU {args.sku} (no demand, stock or orders)", file=sys.stderr)
            return False
        line = max(lines, key=lambda ln: ln.suggested_qty)
    elif result.suggestions:
        line = result.suggestions[0]
    else:
        return None
    path = args.chart or tempfile.NamedTemporaryFile(suffix=".png", delete=False).name
    return projection_chart(line, path, result.today, days)
