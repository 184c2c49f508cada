"""Widgets shared by the volunteer app and the office console."""
