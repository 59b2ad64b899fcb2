"""Forecasting methods against hand-computed values, and the method choice by backtest."""
import numpy as np
import pytest

from domain.planning.forecast import forecast, moving_average, recursive_states


def col(values):
    return np.asarray(values, dtype=float)[:, None]


def test_moving_average_is_the_mean_of_the_last_days():
    y = col([1, 2, 3, 4, 5, 6])
    assert moving_average(y, 3)[0] == pytest.approx(5.0)
    assert moving_average(y, 3, end=4)[0] == pytest.approx(3.0)  # days 2..4 -> (2+3+4)/3
    assert moving_average(y, 10)[0] == pytest.approx(3.5)  # shorter history: the days there are


def test_ses_starts_at_the_first_day_and_smooths():
    # level 10 -> 10 + 0.5*(20-10) = 15 -> 15 + 0.5*(10-15) = 12.5
    states = recursive_states(col([10, 20, 10]), [0.5, 1.0], 0.1, [3])
    ses, sse, _ = states[3]
    assert ses[0, 0] == pytest.approx(12.5)
    assert ses[1, 0] == pytest.approx(10.0)  # alpha 1 = last value
    # one-day errors: alpha 0.5: (20-10)^2 + (10-15)^2 = 125; alpha 1: 10^2 + 10^2 = 200
    assert sse[:, 0].tolist() == pytest.approx([125.0, 200.0])
    r = forecast(col([10, 20, 10]), ma_windows=(1,), ses_alphas=(0.5, 1.0), horizon=1, windows=1)
    assert r.all_forecasts[1, 0] == pytest.approx(12.5)  # the SES candidate takes the alpha with less error


def test_croston_and_sba_by_hand():
    # demands 6 (day 3), 2 (2 days later), 4 (3 days later), alpha 0.1:
    # size 6 -> 5.6 -> 5.44 ; interval starts at the first real gap 2 -> 2 + 0.1*(3-2) = 2.1
    y = col([0, 0, 6, 0, 2, 0, 0, 4])
    _, _, croston = recursive_states(y, [0.1], 0.1, [8])[8]
    assert croston[0] == pytest.approx(5.44 / 2.1)
    r = forecast(y, ma_windows=(7,), horizon=2, windows=1)
    sba = r.all_forecasts[[c.name for c in r.candidates].index("sba"), 0]
    assert sba == pytest.approx(0.95 * 5.44 / 2.1)


def test_no_demand_forecasts_nothing():
    r = forecast(np.zeros((100, 2)))
    assert list(r.method) == ["none", "none"]
    assert r.per_day.tolist() == [0.0, 0.0]


def test_backtest_picks_croston_or_sba_for_intermittent_demand():
    rng = np.random.default_rng(7)
    days = 365
    sparse = np.where(rng.random(days) < 0.12, rng.integers(3, 9, days), 0).astype(float)
    r = forecast(col(sparse))
    assert r.intermittent[0]
    assert r.method[0] in ("croston", "sba")
    assert 0.3 < r.per_day[0] < 1.2  # about 0.12 x 6


def test_backtest_prefers_a_fast_method_after_a_level_shift():
    # 300 days at 5/day then 65 days at 20/day: slow averages lag, fast ones follow.
    y = np.r_[np.full(300, 5.0), np.full(65, 20.0)]
    r = forecast(col(y), ma_windows=(7, 56), ses_alphas=(0.05, 0.5))
    chosen = r.candidates[r.candidate[0]].name
    assert chosen in ("ma7", "ses")
    assert r.per_day[0] == pytest.approx(20.0, rel=0.01)


def test_many_series_at_once_equal_one_by_one():
    rng = np.random.default_rng(3)
    y = rng.poisson(rng.gamma(1.0, 3.0, 40)[None, :], size=(200, 40)).astype(float)
    y[:, :15] *= rng.random((200, 15)) < 0.2
    together = forecast(y)
    for i in range(0, 40, 7):
        alone = forecast(y[:, [i]])
        assert alone.method[0] == together.method[i]
        assert alone.per_day[0] == pytest.approx(together.per_day[i])


def test_croston_ignores_the_days_before_the_first_sale():
    y = col([0] * 165 + [0, 0, 0, 5] * 50)  # a product launched 200 days ago, 5 every 4 days
    _, _, croston = recursive_states(y, [0.1], 0.1, [365])[365]
    assert croston[0] == pytest.approx(1.25)


def test_a_single_sale_long_ago_is_forecast_from_the_quiet_since():
    # one sale of 5 on the fourth day of a year: not "5 every 4 days" but about 5 in half a year
    y = col([0, 0, 0, 5] + [0] * 361)
    _, _, croston = recursive_states(y, [0.1], 0.1, [365])[365]
    assert croston[0] == pytest.approx(5 / (361 / 2))
    assert forecast(y).per_day[0] < 0.03  # was 1.25 a day before the decay


def test_blocks_of_series_give_the_same_result_as_one_sweep():
    rng = np.random.default_rng(5)
    y = rng.poisson(2.0, size=(120, 50)).astype(float)
    y[:, ::3] *= rng.random((120, 17)) < 0.15
    whole = forecast(y, block=1000)
    blocks = forecast(y, block=8)
    assert (whole.method == blocks.method).all()
    assert np.allclose(whole.per_day, blocks.per_day) and np.allclose(whole.backtest, blocks.backtest)


def test_spread_of_intermittent_demand_counts_since_the_first_sale():
    # a sale of 10 every 10 days, then 100 quiet days: the recent window alone would say "no spread"
    y = np.r_[np.zeros(50), np.tile([10.0] + [0.0] * 9, 20), np.zeros(100)]
    r = forecast(col(y), variability_days=91)
    assert r.intermittent[0]
    since_first = y[50:]
    assert r.sigma[0] == pytest.approx(since_first.std())
    smooth = forecast(col(np.r_[np.full(200, 5.0), np.tile([4.0, 6.0], 50)]), variability_days=90)
    assert smooth.sigma[0] == pytest.approx(1.0)
