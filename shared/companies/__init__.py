"""Companies context: the catalog every other part reads."""
