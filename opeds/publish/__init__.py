"""Publish a checked build to a static host: a folder, rsync over SSH, a git branch."""
