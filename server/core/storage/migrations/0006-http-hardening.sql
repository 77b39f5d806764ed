-- Issue 13, HTTP hardening.
-- The audit log keeps the address the TCP connection came from next to the client address that was
-- believed (from a trusted proxy's X-Forwarded-For) and the raw forwarding header, so a forged
-- header can be told apart from a real client afterwards.
ALTER TABLE staff_audit ADD COLUMN socket_ip TEXT;
ALTER TABLE staff_audit ADD COLUMN forwarded_for TEXT;

-- Sliding-window hits per (scope, key), e.g. ('booking', 'ip:203.0.113.7') or ('booking', 'net:203.0.113.0/24').
-- In the database rather than in memory, so limits survive a restart and instances that share the file
-- (shared MQTT subscriptions behind one proxy) share one budget.
CREATE TABLE rate_limit_hits (
  scope TEXT NOT NULL,
  key   TEXT NOT NULL,
  at    INTEGER NOT NULL
) STRICT;

CREATE INDEX rate_limit_hits_by_key ON rate_limit_hits (scope, key, at);
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
