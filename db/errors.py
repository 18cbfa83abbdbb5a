"""Domain failures the database reports, raised as exceptions callers can handle."""


class UsernameTaken(Exception):
    """Another account already has this username (compared case-insensitively)."""


class PostNotFound(Exception):
    """The post a write refers to does not exist."""


class AuthorNotFound(Exception):
    """The account a write is made for no longer exists (deleted after its token was issued)."""
