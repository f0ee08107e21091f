"""`hubspec audit`: the CodeBuild projects of a live AWS account, read-only.

Takes regions, a profile and project names; reads projects through boto3 (the only package
that imports boto3/botocore, an optional extra), turns each into a `Project` and its inline
buildspec, lints them with every rule and hands on findings, notes and pull budgets.
"""
