-- Hybrid search (issue "Event backbone and read models", GET /v1/search; shared/search/hybrid.py).
--
-- The embedded profile's search read model gets the catalog filter columns of `companies`, under the
-- same names and types, so the one filter definition (shared/companies/filters.py) serves the company
-- list, the full-text side here and the pgvector side on `companies`. They are generated from the
-- projected document: the projection's upsert (shared/search/postgres_index.py) and the rebuild
-- (localcloud/rebuild.py) keep writing only the document, and a column can never disagree with it.
--
-- `search_text` (name and description) is what the typo fallback compares by pg_trgm word_similarity
-- when the russian text search finds nothing (a misspelt word has no stem in common with the right one).

CREATE FUNCTION search_jsonb_strings(value JSONB) RETURNS VARCHAR[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(value) = 'array'
            THEN ARRAY(SELECT jsonb_array_elements_text(value))::VARCHAR[]
            ELSE '{}'::VARCHAR[] END;

ALTER TABLE company_search
    ADD COLUMN slug VARCHAR(500) GENERATED ALWAYS AS (document->>'slug') STORED,
    ADD COLUMN sub_industries VARCHAR[] GENERATED ALWAYS AS (search_jsonb_strings(document->'sub_industries')) STORED,
    ADD COLUMN business_model VARCHAR(50) GENERATED ALWAYS AS (document->>'business_model') STORED,
    ADD COLUMN headquarters_country VARCHAR(2) GENERATED ALWAYS AS (document->>'headquarters_country') STORED,
    ADD COLUMN headquarters_city VARCHAR(255) GENERATED ALWAYS AS (document->>'headquarters_city') STORED,
    ADD COLUMN employees_count INTEGER GENERATED ALWAYS AS ((document->>'employees_count')::INTEGER) STORED,
    ADD COLUMN funding_stage VARCHAR(50) GENERATED ALWAYS AS (document->>'funding_stage') STORED,
    ADD COLUMN is_verified BOOLEAN GENERATED ALWAYS AS (coalesce((document->>'is_verified')::BOOLEAN, FALSE)) STORED,
    ADD COLUMN ai_tags VARCHAR[] GENERATED ALWAYS AS (search_jsonb_strings(document->'ai_tags')) STORED,
    ADD COLUMN integrations VARCHAR[] GENERATED ALWAYS AS (search_jsonb_strings(document->'integrations')) STORED,
    ADD COLUMN search_text TEXT GENERATED ALWAYS AS (name || ' ' || coalesce(document->>'description', '')) STORED;

CREATE INDEX idx_company_search_text_trgm ON company_search USING GIN (search_text gin_trgm_ops);
