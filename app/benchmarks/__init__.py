"""Benchmarks: the groups an organisation is compared with, their figures and the audit."""
