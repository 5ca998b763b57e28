"""flowc's JSON Schemas, shipped as package data: see README.md in this directory."""
from pathlib import Path

DIR = Path(__file__).parent
