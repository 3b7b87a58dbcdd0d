"""One module a command group of the ``telroi`` CLI; each has ``add(subparsers)``."""


class UsageError(Exception):
    """Bad input from the command line: printed on standard error, exit status 2."""
