-- Language-model calls (issue 6, shared/llm/records.py): one row per provider request, for cost (tokens),
-- latency and reliability by provider, task and prompt version. Written in autocommit by the recorder,
-- never inside a business transaction. Numbers 0006 and 0007 belong to other branches (migrate.py applies
-- files by name, so gaps are fine).
--   outcome     ok | retry | error | invalid_output | circuit_open
--   error_kind  timeout, connection, http_<status>, content_filter, schema, ... (NULL when ok)
CREATE TABLE llm_calls (
    id             BIGSERIAL PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    call_id        UUID,  -- one task call: its attempts, corrections and fallbacks share it
    provider       VARCHAR(20) NOT NULL,
    model          VARCHAR(200) NOT NULL,
    task           VARCHAR(50) NOT NULL,
    prompt_version VARCHAR(60) NOT NULL,
    outcome        VARCHAR(20) NOT NULL
        CHECK (outcome IN ('ok', 'retry', 'error', 'invalid_output', 'circuit_open')),
    error_kind     VARCHAR(40),
    attempt        SMALLINT NOT NULL DEFAULT 1,
    latency_ms     INTEGER NOT NULL CHECK (latency_ms >= 0),
    input_tokens   INTEGER,
    output_tokens  INTEGER
);
CREATE INDEX idx_llm_calls_at ON llm_calls (at);
CREATE INDEX idx_llm_calls_provider_task_at ON llm_calls (provider, task, at);
CREATE INDEX idx_llm_calls_call_id ON llm_calls (call_id);
