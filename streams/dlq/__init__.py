"""Dead letters: what could not be decoded or delivered, kept whole so it can be replayed."""
