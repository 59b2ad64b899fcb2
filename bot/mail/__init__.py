"""Outgoing e-mail (purchase orders to suppliers) over SMTP."""
