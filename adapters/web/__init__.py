"""The local web chat: a page and its JSON API."""
