"""The round record every domain reads: its table, draft → open → closed, who may see or change it.

Rounds are run from app.rounds (create, open, close, the employer's pages and JSON), answered
through app.survey and reported on by app.reports; all of them read a round's state here, so
this package imports none of them.
"""
