"""Test harness shared by every service's tests (pytest plugin `quest_devtools.testing.plugin`)."""
