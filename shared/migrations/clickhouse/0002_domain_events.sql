-- Every domain event from the Kafka topics, recorded by RecordEventsFunction for reporting.
--
-- Kafka delivers at least once: a batch that failed half-way is delivered again. The table is a
-- ReplacingMergeTree whose sorting key ends in event_id. The other key columns (event_type, ts)
-- come from the envelope too, so a redelivered event has the same key, in the same monthly
-- partition, and background merges keep one row of it. Until a merge has run, readers use FINAL,
-- which collapses duplicates at query time (shared/analytics_events.py does).
--
-- Not user_events: that table of the seed is a plain MergeTree ordered by (event_type, ts), which
-- cannot drop a redelivered copy, and an engine cannot be changed in place by a statement that
-- re-runs at every start. It stays for user-activity events (views, clicks) from the front end.
CREATE TABLE IF NOT EXISTS domain_events (
    event_id UUID,
    event_type LowCardinality(String),
    aggregate_type LowCardinality(String),
    aggregate_id String,
    version UInt32,
    actor String,
    correlation_id String,
    causation_id String,
    ts DateTime64(3, 'UTC'),
    payload String,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(ts) ORDER BY (event_type, ts, event_id) TTL toDateTime(ts) + INTERVAL 90 DAY;
