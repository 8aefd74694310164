"""Models of the Assessment app."""
