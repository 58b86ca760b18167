"""Exceptions raised by lab_utils, so callers can tell bad input from a bug."""


class DataError(ValueError):
    """A data file is missing a column, has a malformed row, or fails its checksum."""


class ShapeError(ValueError):
    """Arrays given to a collaborative-filtering function do not fit together."""
