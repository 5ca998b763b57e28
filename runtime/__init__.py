"""flowc's runtime: what a compiled flow imports. Standard library only at import time."""
