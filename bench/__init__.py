"""Launch-day checks and benchmarks: load without loss, faults, and the four speed ratios."""
