"""The audit log of account and round actions: who did what, when (never a respondent)."""
