"""Partnerships: compatibility of two companies, partner suggestions, and the partnership lifecycle.

The contract other contexts (the discovery chain, its agents) code against; owned by this package:

- `shared.partnerships.compatibility.analyze_pair(a, b) -> PairAnalysis` (pure domain: score 0..1,
  per-criterion breakdown with Russian reasons, synergy areas; no I/O).
- `shared.partnerships.service.suggest_partners(settings, company_id, *, limit) -> list[Suggestion]`
  (candidates that complement the company and serve the same customers, ranked by score).
- `shared.partnerships.service.analyze(settings, company_a_id, company_b_id) -> PairAnalysis`
  (the pair's analysis with `ai_explanation` from `shared.llm.tasks.explain_pair`).
- `shared.partnerships.service.create_partnership(settings, a_id, b_id, ctx, *, analyzed_by_agent) ->
  Partnership` (status `suggested`, fields from the analysis; `partnership.matched` through the outbox;
  idempotent for the same pair: returns the existing one).
- `shared.partnerships.service.change_status(settings, partnership_id, status, ctx) -> Partnership`
  (only the seed's valid moves, else `InvalidTransition` → 409; timestamps; status event through the
  outbox; `ctx` is `shared.commands.Context`, ownership checked).
- `shared.partnerships.service.get_partnership(settings, partnership_id, principal) -> Partnership`.

Also (for the HTTP functions): `service.partner_suggestions` (by id or slug, with the pool size),
`service.propose_partnership` (create, and whether this call created it), `service.list_partnerships`,
`service.record_outcomes`; `lifecycle.allowed_moves`; `candidates.candidates` (the SQL prefilter).
"""
