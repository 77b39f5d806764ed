-- As ../0002-agent-process-load.sql.
ALTER TABLE agents ADD COLUMN process_cpu_percent double precision;
ALTER TABLE agents ADD COLUMN process_rss_bytes bigint;
ALTER TABLE agents ADD COLUMN process_heap_used_bytes bigint;
