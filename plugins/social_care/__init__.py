"""The social_care agency plugin."""
