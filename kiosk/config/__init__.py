"""Profiles: schema, loading and validation."""
