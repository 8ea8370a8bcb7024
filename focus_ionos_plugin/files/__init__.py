"""A provider for existing FOCUS exports of other clouds (AWS, Azure, GCP, OCI files)."""
