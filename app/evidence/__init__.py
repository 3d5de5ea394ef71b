"""Evidence of completion (rule 14): a one-page PDF and JSON with a verification code, and the
public `/verify/{code}` check that confirms its facts (never results) without signing in."""
