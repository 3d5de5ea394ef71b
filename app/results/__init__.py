"""A closed round's recorded results: summaries written at close, rules 5 and 6."""
