-- Company embeddings (issue "Event backbone and read models"): the enrichment function
-- (functions/search/embed_company, shared/companies/enrichment.py) writes companies.embedding and
-- embedding_model (both from 0001) and records what it embedded, so a redelivered or stale event
-- costs one primary-key read instead of a model call:
--   embedding_content_hash   sha256 (hex) of the exact text that was embedded (enrichment.company_text)
--   embedding_source_version the aggregate version that text was taken from: an older event never
--                            overwrites the vector of a newer one
ALTER TABLE companies
    ADD COLUMN embedding_content_hash VARCHAR(64),
    ADD COLUMN embedding_source_version INTEGER;

-- Nearest companies by cosine distance (shared/embeddings/similarity.py: ORDER BY embedding <=> q).
-- pgvector's HNSW defaults (m 16, ef_construction 64); rows without a vector are not indexed.
CREATE INDEX idx_companies_embedding_hnsw ON companies USING hnsw (embedding vector_cosine_ops);

-- The embedded profile's search read model gets the same vector for hybrid (text + vector) search.
-- The enrichment function copies it after writing companies.embedding; a search row created after
-- that (the two functions consume company.events independently, in any order) takes it from
-- companies on insert. The projection's upsert never names this column, so it keeps it on update.
ALTER TABLE company_search ADD COLUMN embedding VECTOR(384);
CREATE INDEX idx_company_search_embedding_hnsw ON company_search USING hnsw (embedding vector_cosine_ops);

CREATE FUNCTION company_search_embedding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.embedding IS NULL THEN
        SELECT c.embedding INTO NEW.embedding FROM companies c WHERE c.id = NEW.company_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER company_search_embedding BEFORE INSERT ON company_search
    FOR EACH ROW EXECUTE FUNCTION company_search_embedding();
