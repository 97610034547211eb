#!/bin/sh
# jlesage/baseimage-gui runs this as the app (USER_ID/GROUP_ID); it must exec the app in the foreground.
export HOME=/config
cd "$HOME"
exec /usr/local/bin/pycharm
