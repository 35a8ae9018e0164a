-- Partnerships (issue 6, "Partnership lifecycle"): the seed's `partnerships` table, every field and
-- constraint, plus what running it needs (shared/partnerships/service.py):
--   owner of the pair  company_a_id is the company whose side created the partnership (its BD manager
--                      acts first); the pair is stored in that order, not sorted, and is unique in
--                      EITHER order (idx_partnerships_pair below): A→B and B→A are one partnership.
--   version            the aggregate's version: every event bumps it (the envelope's `version`).
--   paused_from        the status a paused partnership returns to.
-- partnership_events is the status history (every event, with from/to status), appended in the
-- transaction that changes the row, beside the outbox message.
CREATE TABLE partnerships (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    company_a_id UUID NOT NULL REFERENCES companies(id),
    company_b_id UUID NOT NULL REFERENCES companies(id),

    compatibility_score NUMERIC(3,2) NOT NULL CHECK (compatibility_score BETWEEN 0 AND 1),
    match_reasons TEXT[] NOT NULL DEFAULT '{}',
    synergy_areas VARCHAR(100)[] NOT NULL DEFAULT '{}',
    criteria JSONB NOT NULL DEFAULT '[]',

    analysis_method VARCHAR(50) NOT NULL DEFAULT 'ai' CHECK (analysis_method IN ('ai', 'offline', 'rules')),
    analyzed_by_agent VARCHAR(100),
    analysis_timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    ai_explanation TEXT,

    status VARCHAR(50) NOT NULL DEFAULT 'suggested' CHECK (
        status IN ('suggested', 'contacted', 'in_discussion', 'active', 'rejected', 'paused')
    ),
    paused_from VARCHAR(50) CHECK (paused_from IN ('suggested', 'contacted', 'in_discussion', 'active')),
    contacted_at TIMESTAMPTZ,
    partnership_started_at TIMESTAMPTZ,

    deal_value BIGINT CHECK (deal_value >= 0),
    revenue_generated BIGINT NOT NULL DEFAULT 0 CHECK (revenue_generated >= 0),

    created_by UUID,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT different_companies CHECK (company_a_id <> company_b_id),
    CONSTRAINT unique_partnership UNIQUE (company_a_id, company_b_id),
    CONSTRAINT paused_has_origin CHECK ((status = 'paused') = (paused_from IS NOT NULL))
);

-- One partnership per pair of companies, whichever of them created it.
CREATE UNIQUE INDEX idx_partnerships_pair
    ON partnerships (LEAST(company_a_id, company_b_id), GREATEST(company_a_id, company_b_id));
CREATE INDEX idx_partnerships_score ON partnerships(compatibility_score DESC);
CREATE INDEX idx_partnerships_status ON partnerships(status);
-- The list reads a company's partnerships on either side, newest first.
CREATE INDEX idx_partnerships_company_a ON partnerships(company_a_id, created_at DESC);
CREATE INDEX idx_partnerships_company_b ON partnerships(company_b_id, created_at DESC);

CREATE TABLE partnership_events (
    event_id UUID PRIMARY KEY,
    partnership_id UUID NOT NULL REFERENCES partnerships(id),
    version INTEGER NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    from_status VARCHAR(50),
    to_status VARCHAR(50),
    payload JSONB NOT NULL,
    actor VARCHAR(100),
    correlation_id VARCHAR(100),
    occurred_at TIMESTAMPTZ NOT NULL,
    UNIQUE (partnership_id, version)
);

-- Candidate generation (shared/partnerships/candidates.py) keeps live companies whose sub-industries
-- complement the company's (the GIN index idx_companies_sub_industries from 0003) OR, for companies
-- without sub-industries, whose industry complements its industry: this partial index serves that
-- second branch, so the planner can OR two bitmap index scans instead of reading every company.
CREATE INDEX idx_companies_live_industry_no_subs ON companies (industry)
    WHERE deleted_at IS NULL AND cardinality(sub_industries) = 0;
