"""Statistics engines: pure functions over counts and samples."""
