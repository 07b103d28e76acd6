"""``feedsync dashboard``: the ops web page (server.py) and what it shows (collect.py)."""
