"""Reports: an organisation's results for one round, with benchmarks and change."""
