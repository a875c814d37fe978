"""The `anynav` command."""
