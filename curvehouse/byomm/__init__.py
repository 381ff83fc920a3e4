"""Bring your own model: read other tools' output files into the unified curve convention."""
