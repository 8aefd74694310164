"""The auto-QA engine: pure Python, no Django import."""
