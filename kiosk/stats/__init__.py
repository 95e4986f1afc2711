"""Anonymous counters and their Prometheus export."""
