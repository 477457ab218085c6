"""Notifications: one stored, pushed and (by preference) e-mailed notice per event and recipient."""
