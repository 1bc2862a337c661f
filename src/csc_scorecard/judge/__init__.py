"""Judging a series: statistical process control and the Making Data Count icons."""
