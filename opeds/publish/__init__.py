"""Publish a checked build to a static host: a folder, rsync, a git branch, an object store.

``targets`` reads the ``--target`` spelling and picks the module of its kind: ``mirror``
(rsync to a folder or over SSH), ``gitbranch``, ``objectstore`` (rclone); ``command`` runs
their tools.
"""
