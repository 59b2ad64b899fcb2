"""The e-mail channel: reports and summaries for people who are not on Telegram."""
