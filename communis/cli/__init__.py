"""Command-line front ends: ``communis`` (offline engine tools) and the ``ape run`` commands."""
