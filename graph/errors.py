"""The typed errors of dkg. The library raises them; ``cli.py`` turns each into one line on stderr."""


class DkgError(Exception):
    """Base class of every error dkg reports to a user."""

    exit_code = 1


class InputError(DkgError):
    """A file cannot be read as directive text (binary, legacy encoding, no text layer, ...)."""

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ParseError(DkgError):
    """A text could not be turned into a record."""


class RecordError(DkgError):
    """A stored record (YAML/JSON) is malformed; the message names the file and line."""


class UnknownDocument(DkgError):
    """A name given by the user matches no document or organisation in the graph."""


class AmbiguousName(DkgError):
    """A name given by the user matches several documents; ``candidates`` lists them."""

    exit_code = 2

    def __init__(self, name, candidates):
        self.name = name
        self.candidates = list(candidates)
        super().__init__(f"{name!r} is ambiguous: {len(self.candidates)} documents match")


class StoreError(DkgError):
    """The store is missing, locked by another dkg process, or cannot be written."""


class ServeError(DkgError):
    """The SPARQL endpoint cannot start or keep running: address in use, public bind not allowed, no server."""


class QueryError(DkgError):
    """A SPARQL query is malformed, unknown by name, or was refused."""


class ShapeViolation(DkgError):
    """SHACL or referential validation found violations; ``violations`` lists them."""

    def __init__(self, violations):
        self.violations = list(violations)
        super().__init__(f"{len(self.violations)} violation(s)")
