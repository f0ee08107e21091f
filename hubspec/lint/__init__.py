"""The lint pipeline for one file.

Takes bytes and settings; hands on a LintResult: findings stamped with rule metadata,
suppressions applied, secrets masked.
"""
