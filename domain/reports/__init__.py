"""Scheduled reports' figures (the bot words and draws them)."""
