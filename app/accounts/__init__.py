"""Organisations, their employer accounts, national accounts and signing in."""
