-- As ../0010-booking-span.sql (PostgreSQL wants an expression in an index in parentheses).
CREATE INDEX bookings_lot_span ON bookings (lot_id, (end_at - start_at));
