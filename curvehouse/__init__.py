"""Curvehouse: warehouse-native marketing mix modelling."""

__version__ = "0.1.0"
