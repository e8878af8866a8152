"""The police agency plugin."""
