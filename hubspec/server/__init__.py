"""`hubspec server`: the language server (needs the `lsp` extra: pygls and lsprotocol).

Takes editor buffers over LSP, lints and fixes them with `lint` and `fix` (reading the files
a buildspec uses from open buffers first, then through `run.files`), and hands back LSP
diagnostics, code actions, hovers and completions. The only package importing pygls.
"""
