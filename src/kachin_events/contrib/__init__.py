"""The contributor workflow: checks and helpers for changing the data by pull request."""
