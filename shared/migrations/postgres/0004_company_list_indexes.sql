-- Indexes the company benchmark asked for (tests/benchmarks/bench_companies.py at 100,000 companies):
-- sort=name read and sorted every live row (p95 213 ms); the slug claim's LIKE 'base-%' could not use
-- the primary key under a libc collation (a 12 ms seq scan per create); the city filter compares
-- lower(headquarters_city), which the plain column index cannot serve.
CREATE INDEX idx_companies_live_name ON companies (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX idx_company_slugs_prefix ON company_slugs (slug varchar_pattern_ops);
DROP INDEX idx_companies_city;
CREATE INDEX idx_companies_city ON companies (lower(headquarters_city));
