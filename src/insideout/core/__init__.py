"""Shared kernel: base model, the event log, time helpers. No domain logic."""
