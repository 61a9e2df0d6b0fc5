"""Finding the entry a question is about: the sentence encoder, respelling, drafts and the one decision."""
