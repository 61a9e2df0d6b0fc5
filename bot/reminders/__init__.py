"""Daily principle reminders: the principle of the day and posting each slot once."""
