"""Shell analysis of one command string (tree-sitter-bash).

Takes a command's text and the shell state before it; hands on the simple commands it runs
(words with spans and known values) and the state after it.
"""
