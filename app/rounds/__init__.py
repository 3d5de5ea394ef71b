"""Annual evaluation rounds: create, open, close, links and the self-assessment."""
