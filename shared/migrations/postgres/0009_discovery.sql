-- AI agents (issue 6): the partner-discovery runs, the scout's news insights, follow-up drafts.
-- 0006-0008 belong to other branches (0007: partnerships); gaps are fine (name order).
--
-- discoveries: one row per run of the partner_discovery state machine; every step's function
-- updates it, so GET /v1/discoveries/{id} answers from here (never from Step Functions' history).
-- The partnership itself lives in the partnerships service (partnership_id once integrated).
CREATE TABLE discoveries (
    id UUID PRIMARY KEY,
    company_id UUID NOT NULL REFERENCES companies(id),
    requested_by VARCHAR(100) NOT NULL,          -- a user id, or "agent:scout"
    trigger JSONB NOT NULL DEFAULT '{}',          -- {"kind": "request"|"insight", filters, insight_id}
    threshold NUMERIC(3,2) NOT NULL CHECK (threshold BETWEEN 0 AND 1),
    status VARCHAR(30) NOT NULL DEFAULT 'started' CHECK (status IN (
        'started', 'finding_candidates', 'analysing', 'writing', 'awaiting_review',
        'contacted', 'rejected', 'expired', 'no_match', 'failed')),
    current_step VARCHAR(50),
    execution_arn TEXT,
    candidates JSONB NOT NULL DEFAULT '[]',       -- [{company_id, name, score, passed, explanation}]
    partner_company_id UUID REFERENCES companies(id),
    partnership_id UUID,                          -- the partnership the approval created (or found) and moved to contacted
    draft JSONB,                                  -- {subject, body, made_by}
    final_message JSONB,                          -- what the BD manager approved (edited or not)
    task_token TEXT,                              -- Step Functions' callback token while awaiting review
    review_state VARCHAR(20) CHECK (review_state IN ('pending', 'approved', 'rejected', 'expired')),
    review_deadline TIMESTAMPTZ,
    reviewed_by VARCHAR(100),
    reviewed_at TIMESTAMPTZ,
    reject_reason TEXT,
    failures JSONB NOT NULL DEFAULT '[]',         -- [{step, error, cause, at}]
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_discoveries_company ON discoveries (company_id, created_at DESC);
CREATE INDEX idx_discoveries_open ON discoveries (status) WHERE status NOT IN ('contacted', 'rejected', 'expired', 'no_match', 'failed');

-- What the scout learnt from a news item, linked to the catalog companies it names; the link is the
-- dedup key (a feed repeats its entries on every fetch).
CREATE TABLE news_insights (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    link VARCHAR(2000) NOT NULL UNIQUE,
    source VARCHAR(50) NOT NULL,
    title TEXT NOT NULL,
    published_at TIMESTAMPTZ,
    company_ids UUID[] NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL,
    partnership_angle TEXT NOT NULL,
    made_by JSONB NOT NULL,
    discovery_id UUID REFERENCES discoveries(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_news_insights_companies ON news_insights USING GIN (company_ids);

-- Follow-up drafts for stalled partnerships: one per partnership and stalled period (the day the
-- partnership last moved), so the daily job never nudges twice for the same silence.
CREATE TABLE follow_up_drafts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    partnership_id UUID NOT NULL,
    stalled_since TIMESTAMPTZ NOT NULL,
    company_id UUID NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    made_by JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (partnership_id, stalled_since)
);
