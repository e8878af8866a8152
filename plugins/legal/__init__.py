"""The legal agency plugin."""
