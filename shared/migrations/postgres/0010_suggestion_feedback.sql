-- Suggestion feedback (issue 11, partner matching): the partner suggestions a company's BD manager
-- dismissed (POST /v1/companies/{id}/partners/{partner_id}/dismiss; DELETE undoes it), read by
-- shared/partnerships/feedback.py:
--   * GET /v1/companies/{id}/partners (and the discovery chain) never suggest a dismissed partner again;
--   * every dismissal is a negative outcome of its pair of industries and sub-industries in the learned
--     outcome prior, beside partnerships that reached `active` (positive) or were `rejected` (negative).
-- One row per (company, partner): dismissing again changes nothing. Directional: the company dismissed
-- the partner, not the reverse (the partner's own suggestions still show the company).
-- ON DELETE CASCADE: companies are soft-deleted (`deleted_at`) by the API; a company row physically
-- removed (an operator, a test) takes its feedback with it instead of failing. No rebuild step reads
-- this table: `algoarts rebuild companies` updates `companies` rows in place (never drops or swaps the
-- table) and the search swap is on `company_search`, so these references hold through a rebuild.
CREATE TABLE suggestion_dismissals (
    company_id UUID NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    partner_id UUID NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    dismissed_by UUID,  -- the user who dismissed it; NULL when the system did
    reason VARCHAR(500),
    dismissed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (company_id, partner_id),
    CONSTRAINT dismissal_of_another_company CHECK (company_id <> partner_id)
);

-- The primary key serves "this company's dismissals"; this one the cascade from a removed partner.
CREATE INDEX idx_suggestion_dismissals_partner ON suggestion_dismissals (partner_id);
