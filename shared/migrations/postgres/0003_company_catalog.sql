-- The company catalog in full (issue "Companies"): verification fields, snapshots of the event
-- stream, slug history, uniqueness by OGRN as well as INN, and indexes for the list filters.
ALTER TABLE companies
    ADD COLUMN legal_status VARCHAR(20)
        CHECK (legal_status IN ('active', 'liquidating', 'liquidated', 'bankrupt', 'reorganizing')),
    ADD COLUMN verified_at TIMESTAMPTZ,
    ADD COLUMN verification_error TEXT;

CREATE UNIQUE INDEX idx_companies_ogrn ON companies(ogrn) WHERE ogrn IS NOT NULL AND deleted_at IS NULL;

-- Snapshots every N events: rebuilding an aggregate reads the latest one and the events after it.
CREATE TABLE company_snapshots (
    aggregate_id UUID NOT NULL,
    version INTEGER NOT NULL,
    state JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (aggregate_id, version)
);

-- Every slug a company ever had: old links keep working (they redirect to the current slug).
CREATE TABLE company_slugs (
    slug VARCHAR(500) PRIMARY KEY,
    company_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_company_slugs_company ON company_slugs(company_id);
INSERT INTO company_slugs (slug, company_id) SELECT slug, id FROM companies ON CONFLICT DO NOTHING;

-- The list's filters and keyset orders, over live companies only.
CREATE INDEX idx_companies_live_created ON companies(created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_companies_live_industry ON companies(industry, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_companies_sub_industries ON companies USING GIN (sub_industries);
CREATE INDEX idx_companies_integrations ON companies USING GIN (integrations);
CREATE INDEX idx_companies_city ON companies(headquarters_city);
CREATE INDEX idx_companies_employees ON companies(employees_count);
CREATE INDEX idx_companies_funding_stage ON companies(funding_stage);

-- The embedded search read model keeps deleted companies as versioned tombstones, never found.
ALTER TABLE company_search ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
