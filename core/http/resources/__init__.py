"""The resources, one module per part of the resource map (shared/api.md)."""
