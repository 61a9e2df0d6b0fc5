"""`guidance-bot`: the command line."""
