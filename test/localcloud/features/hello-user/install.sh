#!/bin/sh
set -e
dpkg -s kamal-dev-hello > /dev/null
mkdir -p /opt/hello-user
out="$(kamal-dev-hello) $(cat /etc/kamal-dev-hello/greeting)"
if [ "$SHOUT" = "true" ]; then out=$(echo "$out" | tr a-z A-Z); fi
echo "$out" > /opt/hello-user/out
echo "hello-user ran as $(id -un)" >> /opt/install-order
