"""The build model: a Document as CodeBuild runs it.

Takes a Document; hands on steps in execution order (phase, commands then finally,
run-as user, env, batch tasks) and the project a build runs in.
"""
