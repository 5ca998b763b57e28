"""flowc: check, draw and compile Kestra flows offline.

The pipeline (see README): source -> schema (model) -> structure rules -> reporters.
"""
__version__ = "0.1.0"
