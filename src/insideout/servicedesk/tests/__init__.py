"""Tests for the service desk."""
