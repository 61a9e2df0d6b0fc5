"""Building the Teams app package: a developer tool, never imported at run time."""
