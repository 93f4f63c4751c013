"""Which text every supported database can store (the encoding rules)."""


def storable(text):
    """False for text no database driver would take as given.

    Lone surrogates (from a ``\\ud800``-style JSON escape) cannot be
    encoded for any database, and PostgreSQL refuses NUL characters:
    either would surface later as a 500 instead of a 400 at the edge.
    """
    if '\x00' in text:
        return False
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True
