#: The version of the installed kachin-events package (``kachin-events --version`` prints it).
__version__ = "0.1.0"
