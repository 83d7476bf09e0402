"""The commands of the offline ``communis`` tool (``communis.cli.main`` groups them): one module
each, and the options they share.
"""
