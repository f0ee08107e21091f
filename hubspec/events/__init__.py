"""Docker Hub events in execution order.

Takes the build model, the shell analysis and the docker model; hands on every pull, login
and logout in the order a build runs them (`model`). `walk` is the execution-order walk;
`resolve` the one resolver for the files a build uses (rooted at the source root); `expand`
follows builds and compose runs into Dockerfiles and compose files; `commands` turns one
docker command into events; `login` extracts logins; `images` decides what is a Hub pull.
"""
