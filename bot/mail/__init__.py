"""Outgoing e-mail over the SMTP server of config.yaml's `email` section: purchase orders to
suppliers (smtp.send_mail) and the e-mail channel for reports (notifier.EmailNotifier)."""
