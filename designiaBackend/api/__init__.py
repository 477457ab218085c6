"""Pieces of the HTTP and WebSocket API shared by every app."""
