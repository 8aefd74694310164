"""Models of the Performance app."""
