"""Docker knowledge for hubspec: image references, the docker CLI, Dockerfiles and compose files.

Everything here is pure: callers read files and pass text in, so that rules stay testable and the
linter never touches the file system behind the caller's back.
"""
