"""The one-statement booking of a confirmed pick on PostgreSQL (domain/inventory/pick_booking.py says
what the booking writes; domain/database.py's `confirmed_pick` is this statement's place in the port)."""
from __future__ import annotations

import sqlalchemy as sa

from domain.models import AuditEntry
from domain.models.base import UTCDateTime

# The whole booking of a confirmed pick on PostgreSQL. Data-modifying CTEs run once each, against one
# snapshot; every one after `res` reads the output of the one before it (EXISTS / FROM), so it runs
# after it and only if it wrote a row: a failed compare-and-set writes nothing, a bin quant without
# enough stock leaves only the reservation written (the caller raises, the transaction is rolled back).
# The guarded quant UPDATE waits for a concurrent picker's lock and re-checks its condition on the row
# that picker committed (READ COMMITTED), so two pickers cannot both take the last unit.
CONFIRMED_PICK = sa.text("""
WITH res AS (
    UPDATE stock_reservations SET quantity = CAST(:res_new AS numeric)
    WHERE id = :res_id AND quantity = CAST(:res_old AS numeric)
    RETURNING id
), src AS (
    UPDATE stock_quants
    SET quantity = quantity - CAST(:picked AS numeric), reserved = reserved - CAST(:released AS numeric)
    WHERE product_id = :product_id AND location_id = :bin_id AND lot = :lot
      AND quantity >= CAST(:picked AS numeric) AND reserved >= CAST(:released AS numeric)
      AND EXISTS (SELECT FROM res)
    RETURNING id, quantity, reserved, expiry
), line AS (
    UPDATE sales_order_lines
    SET reserved_qty = reserved_qty - CAST(:released AS numeric), picked_qty = picked_qty + CAST(:picked AS numeric)
    WHERE id = :line_id AND EXISTS (SELECT FROM src)
    RETURNING reserved_qty, picked_qty
), task AS (
    UPDATE pick_tasks
    SET picked_qty = picked_qty + CAST(:picked AS numeric), short_qty = short_qty + CAST(:short AS numeric),
        step = 'done', done_at = CAST(:now AS timestamptz)
    WHERE id = :task_id AND step = :from_step AND EXISTS (SELECT FROM src)
    RETURNING picked_qty, short_qty
), list AS (
    UPDATE pick_lists SET status = 'done', finished_at = CAST(:now AS timestamptz)
    WHERE id = :pick_list_id AND CAST(:last_task AS boolean) AND status = 'open' AND EXISTS (SELECT FROM task)
    RETURNING id
), move AS (
    INSERT INTO stock_moves (product_id, from_location_id, to_location_id, quantity, lot, expiry, reason, document,
                             user_id, created_at)
    SELECT CAST(:product_id AS integer), CAST(:bin_id AS integer), CAST(:dock_id AS integer), CAST(:picked AS numeric),
           CAST(:lot AS varchar), CAST(:expiry AS date), 'pick', CAST(:document AS varchar), CAST(:user_id AS integer),
           CAST(:now AS timestamptz)
    FROM task
    RETURNING id
), audit AS (
    INSERT INTO audit_entries (at, actor_user_id, actor, channel, entity, entity_id, label, part, action, before, after)
    SELECT :a_at, CAST(:a_actor_user_id AS integer), CAST(:a_actor AS varchar), CAST(:a_channel AS varchar),
           CAST(:a_entity AS varchar), CAST(move.id AS varchar), CAST(:a_label AS varchar), CAST(:a_part AS varchar),
           CAST(:a_action AS varchar), :a_before, :a_after
    FROM move WHERE CAST(:audited AS boolean)
), dock AS (
    INSERT INTO stock_quants (product_id, location_id, lot, expiry, quantity, reserved)
    SELECT CAST(:product_id AS integer), CAST(:dock_id AS integer), CAST(:lot AS varchar), CAST(:expiry AS date),
           CAST(:picked AS numeric), 0
    FROM move
    ON CONFLICT (product_id, location_id, lot) DO UPDATE
    SET quantity = stock_quants.quantity + excluded.quantity, expiry = COALESCE(stock_quants.expiry, excluded.expiry)
    RETURNING id, quantity, reserved, expiry
)
SELECT (SELECT count(*) FROM res) AS res_ok,
       src.id AS src_id, src.quantity AS src_quantity, src.reserved AS src_reserved, src.expiry AS src_expiry,
       line.reserved_qty AS line_reserved, line.picked_qty AS line_picked,
       task.picked_qty AS task_picked, task.short_qty AS task_short, (SELECT count(*) FROM list) AS list_closed,
       dock.id AS dock_id, dock.quantity AS dock_quantity, dock.reserved AS dock_reserved, dock.expiry AS dock_expiry,
       (SELECT id FROM move) AS move_id
FROM (SELECT 1) AS one
LEFT JOIN src ON true LEFT JOIN line ON true LEFT JOIN task ON true LEFT JOIN dock ON true
""").bindparams(sa.bindparam("a_at", type_=UTCDateTime()), sa.bindparam("a_before", type_=AuditEntry.__table__.c.before.type),
               sa.bindparam("a_after", type_=AuditEntry.__table__.c.after.type))
