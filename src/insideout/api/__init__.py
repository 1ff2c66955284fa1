"""Builds the REST API: authentication, the error envelope, and each context's router."""
