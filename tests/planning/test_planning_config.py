"""The planning section of config.yaml, and the chart's projection."""
from datetime import date, timedelta

import pytest

from domain.planning.projection import projection
from domain.errors import InvalidInput
from domain.planning import PlanningConfig
from domain.planning.run import PlanLine


def test_config_reads_text_values_and_refuses_bad_ones():
    cfg = PlanningConfig.from_mapping({"history_days": "180", "ses_alphas": ["0.1", 0.3], "service_levels": {"A": 0.99}})
    assert cfg.history_days == 180 and cfg.ses_alphas == (0.1, 0.3)
    assert cfg.service_level_for("A") == 0.99
    assert cfg.service_level_for(None) == 0.95
    assert cfg.service_level_for("0.97") == 0.97
    assert cfg.service_level_for("97%") == 0.97
    assert cfg.service_level_for("Z") == 0.95  # unknown class: the default
    for bad in ({"history_days": 0}, {"ses_alphas": [1.5]}, {"service_levels": {"A": 1.0}}, {"colour": "red"},
                {"history_days": "many"}):
        with pytest.raises(InvalidInput):
            PlanningConfig.from_mapping(bad)


def test_shipped_config_yaml_is_valid():
    from bot.settings import load_settings

    cfg = load_settings().planning
    assert cfg.history_days >= cfg.backtest_days * cfg.backtest_windows


def line(**kw):
    base = dict(product_id=1, sku="A", name="A", warehouse_id=1, warehouse="MAIN", supplier_id=1, supplier="NORD",
                method="ma", forecast_per_day=10.0, dependent_per_day=0.0, parents=[], sigma_per_day=0.0,
                history_days=365, lead_time_days=3.0, lead_time_sd=0.0, lead_time_source="quoted",
                lead_time_receipts=0, service_level=0.95, safety_stock=0.0, reorder_point=30.0, order_up_to=100.0,
                has_rule=False, suggested_min=30.0, suggested_max=100.0, on_hand=25.0, kit_stock=0.0, on_order=0.0,
                reserved=5.0, projected=20.0, need=80.0, suggested_qty=80.0, moq=1.0, pack_multiple=1.0, price=None,
                is_kit=False)
    base.update(kw)
    return PlanLine(**base)


def test_projection_follows_the_plan():
    today = date(2026, 6, 1)
    xs, without, with_plan = projection(line(arrivals=[(today + timedelta(days=1), 15.0)]), today, 10)
    assert xs[0] == today and len(xs) == 11
    # 20 available, an open order of 15 tomorrow, 10 sold a day
    assert without[:4] == [20, 25, 15, 5]
    # today's 80 arrive after 3 days; next orders whenever the position falls to 30
    assert with_plan[:4] == [20, 25, 15, 85]
    assert min(with_plan[3:]) > 0
