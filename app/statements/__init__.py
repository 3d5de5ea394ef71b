"""Statement sets and reference lists: loaded from data files, validated, cached."""
