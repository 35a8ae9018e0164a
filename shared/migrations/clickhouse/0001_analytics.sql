-- Seed "Data Layer": analytics tables, MergeTree partitioned by month with a 90-day TTL.
CREATE TABLE IF NOT EXISTS user_events (
    event_id UUID,
    event_type LowCardinality(String),
    aggregate_id String,
    actor String,
    ts DateTime64(3, 'UTC'),
    payload String
) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (event_type, ts) TTL toDateTime(ts) + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS search_queries (
    query_id UUID,
    user_id String,
    query String,
    filters String,
    results UInt32,
    took_ms Float32,
    ts DateTime64(3, 'UTC')
) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY ts TTL toDateTime(ts) + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS metrics (
    name LowCardinality(String),
    value Float64,
    labels Map(String, String),
    ts DateTime64(3, 'UTC')
) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (name, ts) TTL toDateTime(ts) + INTERVAL 90 DAY;
