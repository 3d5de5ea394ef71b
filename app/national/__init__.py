"""National participation and results for the national team."""
