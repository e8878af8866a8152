"""The service itself: plugin host, validation, service layer, storage, HTTP, command line.

Private to scr-returns: agency plugins import the public API from :mod:`scr_returns`.
"""
