"""Readers for the statutory returns and the checks they share."""
