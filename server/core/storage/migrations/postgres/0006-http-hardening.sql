-- As ../0006-http-hardening.sql.
ALTER TABLE staff_audit ADD COLUMN socket_ip text;
ALTER TABLE staff_audit ADD COLUMN forwarded_for text;

CREATE TABLE rate_limit_hits (
  scope text NOT NULL,
  key   text NOT NULL,
  at    bigint NOT NULL
);

CREATE INDEX rate_limit_hits_by_key ON rate_limit_hits (scope, key, at);
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
