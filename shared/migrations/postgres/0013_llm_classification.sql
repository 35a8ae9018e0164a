-- The LLM as a second source of a company's kinds of product (issue 11; shared/companies/classification.py).
--   model_proposals        [{code, confidence, source: "model"}]: the nearest-labelled-companies proposals
--                          alone, as 0011 stored them in proposed_sub_industries (copied below)
--   llm_proposals          [{code, confidence, source: "llm"}]: the classification agent's answer where a
--                          provider is configured (functions/agents/classify_company)
--   llm_text_hash          sha256 of the company text the LLM read: its proposals count only while it equals
--                          embedding_content_hash (the text the vector and the model's proposals came from),
--                          so an answer about an older description never outlives a change
--   llm_classified_version the aggregate version the LLM read (an older event never replaces a newer answer)
-- proposed_sub_industries is from now on the merge of both (per code the higher confidence and its source),
-- and model_sub_industries the confident codes of that merge: still never over the user's own codes.
ALTER TABLE companies
    ADD COLUMN model_proposals JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN llm_proposals JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN llm_text_hash CHAR(64),
    ADD COLUMN llm_classified_version INT;

UPDATE companies SET model_proposals = proposed_sub_industries WHERE proposed_sub_industries <> '[]';
