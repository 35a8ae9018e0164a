-- Hybrid search (issue "Event backbone and read models", GET /v1/search; shared/search/hybrid.py).
--
-- The embedded profile's search read model gets the catalog filter columns of `companies`, under the
-- same names and types, so the one filter definition (shared/companies/filters.py) serves the company
-- list, the full-text side here and the pgvector side on `companies`. They are generated from the
-- projected document: the projection's upsert (shared/search/postgres_index.py) and the rebuild
-- (localcloud/rebuild.py) keep writing only the document, and a column can never disagree with it.
--
-- `company_search_words` holds every word of the names and descriptions (kept by a trigger, also on the
-- rebuild's new table, which copies this table's triggers): when the russian text search finds nothing
-- (a misspelt word shares no stem with the right one), the search replaces each query word by the known
-- words most like it (pg_trgm similarity, GIN-indexed) and searches again. Words are never removed: a
-- word no company uses any more only costs a search that finds nothing. Comparing the query with whole
-- descriptions instead (word_similarity over name || description, trigram-indexed) took 430 ms a query at
-- 100,000 companies (tests/benchmarks/bench_search.py); the vocabulary lookup takes milliseconds.

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
    ADD COLUMN integrations VARCHAR[] GENERATED ALWAYS AS (search_jsonb_strings(document->'integrations')) STORED;

CREATE TABLE company_search_words (word TEXT PRIMARY KEY);
CREATE INDEX idx_company_search_words_trgm ON company_search_words USING GIN (word gin_trgm_ops);

-- The words of a name and description: lower case, letters and digits, 3 to 40 characters.
CREATE FUNCTION search_words(name TEXT, description TEXT) RETURNS SETOF TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT DISTINCT w
    FROM regexp_split_to_table(lower(name || ' ' || coalesce(description, '')), '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 3 AND 40;
END;

-- In word order, so that two projections adding the same new words never wait on each other crosswise.
CREATE FUNCTION company_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO company_search_words (word)
    SELECT w FROM search_words(NEW.name, NEW.document->>'description') AS w ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER company_search_words AFTER INSERT OR UPDATE OF name, document ON company_search
    FOR EACH ROW EXECUTE FUNCTION company_search_words();

INSERT INTO company_search_words (word)
SELECT DISTINCT w FROM company_search, search_words(name, document->>'description') AS w ORDER BY w
ON CONFLICT DO NOTHING;
