"""Loading: bytes -> decoded text -> the positioned YAML tree (HS001 problems).

Takes the bytes of a file; hands on a Document (or the YAML problem) to every later stage.
"""
