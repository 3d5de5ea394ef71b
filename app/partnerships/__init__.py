"""Teaching Partnerships: kept in the database and managed by the national team (issue 14)."""
