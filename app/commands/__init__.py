"""One module a command group of the ``telroi`` CLI; each has ``add(subparsers)``."""
