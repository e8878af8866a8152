"""The agency plugins shipped with scr-returns (registered through entry points)."""
