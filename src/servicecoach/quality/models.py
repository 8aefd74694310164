"""Models of the Quality inspection app."""
