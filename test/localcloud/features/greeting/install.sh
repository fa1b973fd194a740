#!/bin/sh
set -e
test -f /opt/base-tools/marker
mkdir -p /opt/greeting
if [ "$LOUD" = "true" ]; then echo "$GREETING" | tr a-z A-Z > /opt/greeting/text; else echo "$GREETING" > /opt/greeting/text; fi
echo "greeting ran as $(id -un)" >> /opt/install-order
