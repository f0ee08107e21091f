"""The command line: the only place that parses options and decides exit codes.

Takes argv; builds requests, runs them, renders the reports.
"""
