"""Data access: reading benchmark files as their authors publish them (`hf_files`), where derived
files go (`cache`, never into a user's data directory), and writing offline suites as hub parquet
snapshots (`hub_layout`). Nothing is imported here: each module is imported by name."""
