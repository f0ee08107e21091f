"""The buildspec JSON Schema check.

Takes a Document; hands on schema issues (HS002/HS003) with their node spans.
"""
