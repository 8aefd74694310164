"""Plain-Python parts of the Training app (no Django import): the lesson HTML sanitiser and quiz marking."""
