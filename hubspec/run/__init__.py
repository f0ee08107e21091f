"""Running over many files.

Takes paths and options; discovers files, finds configs, reads files (the one reader),
lints or fixes them in parallel and writes fixes (the one atomic writer); hands on outcomes.
"""
