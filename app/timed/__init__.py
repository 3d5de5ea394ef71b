"""Timed work (`asye360 tick`): close rounds on their date, remind leads, say reports are ready."""
