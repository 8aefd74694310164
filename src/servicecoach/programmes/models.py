"""Models of the Training programmes app."""
