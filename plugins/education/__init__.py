"""The education agency plugin."""
