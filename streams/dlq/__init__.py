"""The dead-letter stage: re-driving dead letters (the record itself is streams/letters.py)."""
