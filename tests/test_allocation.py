"""Which warehouse ships which line (pure rule)."""
from decimal import Decimal as D

from domain.orders.allocation import allocate

HOME, NORTH, EAST = 1, 2, 3


def test_home_first_when_it_fills_everything():
    avail = {HOME: {10: D(5), 11: D(5)}, NORTH: {10: D(50), 11: D(50)}}
    assert allocate(home=HOME, lines=[(1, 10, D(5)), (2, 11, D(1))], availability=avail) == {HOME: [1, 2]}


def test_another_warehouse_that_fills_the_whole_order():
    avail = {HOME: {10: D(5)}, NORTH: {10: D(1)}, EAST: {10: D(9), 11: D(9)}}
    assert allocate(home=HOME, lines=[(1, 10, D(5)), (2, 11, D(2))], availability=avail) == {EAST: [1, 2]}


def test_split_line_by_line_and_backorder_at_home():
    avail = {HOME: {10: D(5)}, NORTH: {11: D(3)}}
    plan = allocate(home=HOME, lines=[(1, 10, D(5)), (2, 11, D(3)), (3, 12, D(1))], availability=avail)
    assert plan == {HOME: [1, 3], NORTH: [2]}


def test_nothing_anywhere_stays_home():
    assert allocate(home=HOME, lines=[(1, 10, D(5))], availability={}) == {HOME: [1]}
