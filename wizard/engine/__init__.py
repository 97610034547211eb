"""The Docker engine adapter: everything that talks to a Docker engine through docker-py, split by what the user
does. The pure core (wizard/) never imports this package; the faces (screens/) do.

- connect.py     which engine (--host, DOCKER_HOST, docker context, local socket), the one client factory, and
                 whether an engine answers; host_facts.py pre-fills arch, GPU and distro from a remote engine
- build.py       the build (legacy builder): the context sent once (upload.py), the chunk stream as
                 BuildEvents (build_events.py)
- archive.py     docker save into a complete-or-absent file, docker load, a saved archive's manifest;
                 transfer.py the progress of either
- check.py       `imgwizard check`: run an image, reach each service from outside (reach.py through ssh://)
- commit.py      docker commit with no run-time secret left in the image
- push.py        tag and push to a registry
- layers.py      an image's history as layer rows by wizard step
- labels.py      reading the answers back from an image's labels or a saved archive
- common.py      DockerOpError, the low-level API client, image names, sizes: what the others share
"""
