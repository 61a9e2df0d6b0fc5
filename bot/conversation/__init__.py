"""The conversation: what the bot says to anything anyone types, the admin commands and who may run them."""
