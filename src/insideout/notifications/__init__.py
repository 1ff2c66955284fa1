"""Notifications: in-app inbox and e-mail, by each person's preferred channel."""
