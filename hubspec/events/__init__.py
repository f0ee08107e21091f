"""Docker Hub events in execution order.

Takes the build model, the shell analysis and the docker model, reading Dockerfiles and
compose files through one reader; hands on every pull, login and logout in the order a build
runs them.
"""
