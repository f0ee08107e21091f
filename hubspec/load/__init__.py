"""Loading: bytes -> Source (decoded text, layout facts, positions) -> the positioned YAML tree.

Takes the bytes of a file (or an embedded text with its map into the host file); hands on a
Source and its Document, or the HS001 problem, to every later stage.
"""
