"""What rules look at: the lint context and facts derived once per file.

Takes a Document and its settings; hands rules the schema issues, the events, the pull
budget, the secret literals no output may show, and the suppression comments.
"""
