"""The knowledge base: loading and validating it, reloading it while serving, one version across instances."""
