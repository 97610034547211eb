# Jupyter Server configuration written by imgwizard (Jupyter Server 2.x names; ServerApp.token is deprecated).
c = get_config()  # noqa: F821
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.port = 31000
c.ServerApp.open_browser = False
c.ServerApp.allow_root = True
c.ServerApp.allow_remote_access = True
c.ServerApp.allow_origin = "*"
# The platform shows the app in a frame.
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self' *"}}
# Authentication is on: the token comes from JUPYTER_TOKEN at start; without it Jupyter makes a random
# token and prints it in the log.
