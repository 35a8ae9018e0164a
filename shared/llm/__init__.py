"""Language models behind one port: YandexGPT (primary), GigaChat (fallback), Claude (complex tasks),
and an offline provider that answers deterministically from the catalog's data when no key is set.

Callers use the task functions in `shared.llm.tasks` only: each renders a versioned Russian prompt,
fences company text, asks the provider chain for JSON that matches the task's schema, validates it and
says which provider and model made it (`offline=True` when no model was asked).
"""
