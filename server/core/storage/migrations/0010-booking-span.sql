-- The longest booking of a lot, in one index lookup (issue 14, item 5). Overlap queries look back
-- from a window's start by this span instead of the schema's 7-day maximum, so a capacity check
-- reads the few bookings that can overlap, not every booking of the last week.
CREATE INDEX bookings_lot_span ON bookings (lot_id, end_at - start_at);
