"""Benchmarks: the groups an organisation is compared with, their published figures and the audit."""
