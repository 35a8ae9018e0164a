"""A deterministic synthetic catalog of Russian SaaS companies for local development and benchmarks."""
