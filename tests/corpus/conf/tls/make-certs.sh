#!/usr/bin/env bash
# Generates the tiny test PKI used by the TLS cases of the config corpus:
#   ca.pem / ca-key.pem       self-signed test CA
#   server.pem / server-key.pem  route certificate (serverAuth + clientAuth),
#                                SAN: localhost, 127.0.0.1, ::1, CN=route.test
# The material is throw-away test data (no secrets); it is valid for 100 years.
# Usage: bash make-certs.sh [--force]   (without --force existing files are kept)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ "${1:-}" != "--force" && -s ca.pem && -s server.pem && -s server-key.pem ]]; then
  echo "make-certs.sh: certificates already present (use --force to regenerate)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout ca-key.pem -out ca.pem -days 36500 -subj "/CN=nats-orleansroutes test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  2>/dev/null

openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server-key.pem -out "$tmp/server.csr" -subj "/CN=route.test" 2>/dev/null

cat > "$tmp/ext.cnf" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:route.test,IP:127.0.0.1,IP:::1
EXT

openssl x509 -req -in "$tmp/server.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -CAserial "$tmp/ca.srl" -out server.pem -days 36500 -extfile "$tmp/ext.cnf" 2>/dev/null

chmod 644 ca.pem server.pem ca-key.pem server-key.pem
echo "make-certs.sh: wrote ca.pem ca-key.pem server.pem server-key.pem"
openssl x509 -in server.pem -noout -fingerprint -sha256
