"""The op-ed archive: import raw op-ed texts and build them into a static site with Pelican."""
