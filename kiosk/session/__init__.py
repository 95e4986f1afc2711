"""Session directory, idle tracking, wipe and stale-session recovery."""
