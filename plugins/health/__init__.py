"""The health agency plugin."""
