"""Compatibility layers for code written against other Kitsu clients."""
