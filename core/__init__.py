"""Framework glue and pure helpers shared by every feature."""
