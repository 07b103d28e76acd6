"""What an operator does to a running pipeline: resync feeds, and (later) dead letters."""
