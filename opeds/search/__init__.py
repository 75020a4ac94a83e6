"""Search: the Pagefind index over a built site."""
