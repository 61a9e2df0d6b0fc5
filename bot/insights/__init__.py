"""What staff ask: the question log and the summaries admins read."""
