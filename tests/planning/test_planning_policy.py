"""Safety stock, reorder point and order rounding by hand."""
import numpy as np
import pytest

from domain.planning.bom import explode
from domain.planning.policy import order_up_to, plan_policy, reorder_point, round_order, safety_stock, z_for
from domain.errors import Conflict


@pytest.mark.parametrize("need, moq, multiple, expected", [
    (104, 100, 20, 120),  # above the MOQ: up to the next multiple
    (30, 100, 20, 100),  # below the MOQ: the MOQ
    (10, 50, 20, 60),  # MOQ not a multiple: the multiple above it
    (101, 1, 12, 108),
    (7.2, 1, 1, 8),  # whole units
    (0, 100, 20, 0),  # no need, no order
])
def test_round_order(need, moq, multiple, expected):
    assert round_order(np.array([need]), np.array([moq]), np.array([multiple]))[0] == expected


def test_safety_stock_reorder_point_and_order_up_to():
    z = z_for(np.array([0.95]))
    assert z[0] == pytest.approx(1.6449, abs=1e-4)
    # sd 2/day over 9 days: 1.6449 * 2 * 3 = 9.87 -> 10
    assert safety_stock(z, 12, 2.0, 9.0)[0] == 10
    # steady 10/day, lead time 7 +/- 2 days: 1.6449 * 10 * 2 = 32.9 -> 33
    assert safety_stock(z, 10, 0.0, 7.0, 2.0)[0] == 33
    assert reorder_point(np.array([12.0]), 7, np.array([30.0]))[0] == 114
    assert order_up_to(np.array([114.0]), 12.0, 7)[0] == 198


def test_policy_orders_only_below_the_reorder_point():
    common = dict(demand_per_day=np.array([12.0, 12.0, 0.0]), sigma_per_day=np.array([0.0, 0.0, 0.0]),
                  lead_time_days=np.array([7.0] * 3), lead_time_sd=np.zeros(3), service_level=np.array([0.95] * 3),
                  review_days=7, on_order=np.zeros(3), reserved=np.array([0.0, 0.0, 5.0]), moq=np.ones(3),
                  multiple=np.ones(3))
    r = plan_policy(on_hand=np.array([83.0, 84.0, 0.0]), **common)
    assert r.reorder_point.tolist() == [84, 84, 0]
    assert r.suggested.tolist() == [85, 0, 5]  # below the ROP: up to 168; at it: nothing; backorder of 5: cover it
    ruled = plan_policy(on_hand=np.array([83.0, 84.0, 0.0]), rule_min=np.array([np.nan, 90.0, np.nan]),
                        rule_max=np.array([np.nan, 100.0, np.nan]), **common)
    assert ruled.suggested.tolist() == [85, 16, 5]
    assert ruled.suggested_min[1] == 84  # what a computed min would have been


def test_bom_explodes_every_level_and_refuses_loops():
    kit, box, screw, nut = 1, 2, 3, 4
    tree = explode([(kit, box, 2), (kit, screw, 1), (box, screw, 3), (box, nut, 0.5)])
    assert tree[kit] == {box: 2, screw: 7, nut: 1}
    assert tree[box] == {screw: 3, nut: 0.5}
    with pytest.raises(Conflict):
        explode([(kit, box, 1), (box, screw, 1), (screw, kit, 1)], {1: "KIT", 2: "BOX", 3: "SCREW"})
