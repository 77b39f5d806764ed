-- Heartbeats carry the agent process's own CPU and memory (protocol commit 7034504); staff see a box
-- running hot before it falls behind.
ALTER TABLE agents ADD COLUMN process_cpu_percent REAL;
ALTER TABLE agents ADD COLUMN process_rss_bytes INTEGER;
ALTER TABLE agents ADD COLUMN process_heap_used_bytes INTEGER;
