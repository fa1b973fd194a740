#!/bin/sh
set -e
mkdir -p /opt/base-tools
echo "$MARKER" > /opt/base-tools/marker
echo "base-tools ran as $(id -un) for $_REMOTE_USER" >> /opt/install-order
