#!/bin/sh
set -e
# The VMs have no internet: the package comes with the feature (the test builds it with dpkg-deb).
apt-get install -y --no-install-recommends ./kamal-dev-hello.deb
mkdir -p /etc/kamal-dev-hello
echo "$GREETING" > /etc/kamal-dev-hello/greeting
echo "hello-deb ran as $(id -un)" >> /opt/install-order
