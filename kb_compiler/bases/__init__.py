"""Obsidian Bases: .base files read, evaluated and shown."""
