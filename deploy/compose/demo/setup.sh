#!/bin/sh
# Imports the demo cluster and writes nats1..3's configurations. Runs in the natsroutes image.
set -eu
natsroutes() { dotnet /app/natsroutes.dll "$@"; }

# Retried until the silos answer; each run imports again, so a new password and new member configs.
until natsroutes cluster import demo/demo /demo/demo-cluster.conf > /members/import.txt 2>&1; do
  sleep 1
done
# The generated route password is printed once, at import.
password=$(sed -n 's/.*password: *//p' /members/import.txt | head -n 1)
printf '%s' "$password" > /members/route-password
for n in 1 2 3; do
  until natsroutes cluster member-config demo/demo --server "nats$n" --listen 0.0.0.0:6222 \
      --password-file /members/route-password > "/members/nats$n.tmp" \
      && grep -q "gateway1" "/members/nats$n.tmp" && grep -q "gateway2" "/members/nats$n.tmp"; do
    sleep 1
  done
  { echo "listen: 0.0.0.0:4222"; echo "http: 0.0.0.0:8222"; cat "/members/nats$n.tmp"; } > "/members/nats$n.conf"
done
echo "setup: the demo cluster is imported; nats1..3 route to gateway1 and gateway2"
