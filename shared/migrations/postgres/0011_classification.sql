-- Classification of companies users enter (issue 11): the sub-industries the model proposes for a company
-- from its description, name, integrations and tags (shared/companies/classification.py, run by the
-- embedding function right after it stores the company's vector), kept apart from what the user chose:
--   proposed_sub_industries  [{code, confidence, source}] best first; source "model" (nearest labelled
--                            companies by embedding); shown with the company's partner suggestions so the
--                            user can accept (PATCH sub_industries) or correct them
--   model_sub_industries     the proposals confident enough to match on (at most two)
--   classified_version       the aggregate version the proposals were computed from (a stale event never
--                            overwrites newer proposals)
--   matching_sub_industries  what matching reads: the user's own codes whenever they chose any (a proposal
--                            never overrides them), else the confident proposals. Generated, so no writer
--                            can let the two drift apart.
ALTER TABLE companies
    ADD COLUMN proposed_sub_industries JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN model_sub_industries VARCHAR(100)[] NOT NULL DEFAULT '{}',
    ADD COLUMN classified_version INTEGER,
    ADD COLUMN matching_sub_industries VARCHAR(100)[] GENERATED ALWAYS AS (
        CASE WHEN cardinality(sub_industries) > 0 THEN sub_industries ELSE model_sub_industries END
    ) STORED;

-- Candidate generation (shared/partnerships/candidates.py) filters on it as it did on sub_industries.
CREATE INDEX idx_companies_matching_sub_industries ON companies USING GIN (matching_sub_industries);
CREATE INDEX idx_companies_live_industry_no_matching_subs ON companies (industry)
    WHERE deleted_at IS NULL AND cardinality(matching_sub_industries) = 0;
