"""The demo: the story `make demo` tells, and the reproducible sample community it runs on."""
